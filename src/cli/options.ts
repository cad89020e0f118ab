// Option parsing shared by subcommands: clear errors for bad values.
import { InvalidArgumentError } from 'commander';

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${v}" is not a port number (0-65535)`);
  return n;
}

export function defaultPort(): number {
  return process.env.PORT ? parsePort(process.env.PORT) : 8080;
}

export function parseEnv(v: string): 'sandbox' | 'production' {
  if (v === 'sandbox' || v === 'production') return v;
  if (v === 'prod') return 'production';
  throw new InvalidArgumentError(`"${v}" is not an environment: use sandbox or production`);
}
