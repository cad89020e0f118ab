// `eposgate/contract`: kept for code written before the contract became its own package.
export * from '@eposgate/contract';
