// Prints the top self-time functions of a V8 .cpuprofile (from `node --cpu-prof`), grouped by
// function and file, with the share of all samples: `node --import tsx bench/profile-top.ts FILE [N]`.
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const [file, n = '30'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file!, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const self = new Map<string, number>();
let total = 0;
prof.samples.forEach((id, i) => {
  const dt = prof.timeDeltas[i] ?? 0;
  const node = byId.get(id)!;
  const f = node.callFrame;
  const where = f.url.replace(/^.*\/(node_modules\/|src\/|bench\/)/, '$1');
  const key = `${f.functionName || '(anonymous)'}  ${where}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
const idle = [...self.entries()].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(idle / 1e6).toFixed(2)} s idle`);
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((100 * v) / (total - idle)).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}
