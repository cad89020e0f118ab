// Profiling aid: sums a .heapsnapshot's self sizes by constructor/name and prints the biggest
// groups with their counts: `node --import tsx bench/heap-top.ts FILE [N]`; with two files
// (`--diff BEFORE AFTER [N]`), the growth from the first to the second.
import { readFileSync } from 'node:fs';

type Groups = Map<string, { count: number; size: number }>;

function load(file: string): { groups: Groups; total: number } {
const snap = JSON.parse(readFileSync(file!, 'utf8')) as {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[];
};
const f = snap.snapshot.meta.node_fields;
const [iType, iName, iSize] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
const types = snap.snapshot.meta.node_types[0];
const groups = new Map<string, { count: number; size: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += f.length) {
  const type = types[snap.nodes[i + iType]!]!;
  const name = type === 'object' || type === 'closure' ? `${type}:${snap.strings[snap.nodes[i + iName]!]}` : `(${type})`;
  const g = groups.get(name) ?? { count: 0, size: 0 };
  g.count += 1;
  g.size += snap.nodes[i + iSize]!;
  total += snap.nodes[i + iSize]!;
  groups.set(name, g);
}
return { groups, total };
}

const args = process.argv.slice(2);
const diff = args[0] === '--diff';
const [file, second] = diff ? [args[1]!, args[2]!] : [args[0]!, undefined];
const n = (diff ? args[3] : args[1]) ?? '40';
const after = load(second ?? file);
const before = second ? load(file) : { groups: new Map() as Groups, total: 0 };
const groups: Groups = new Map();
for (const [k, g] of after.groups) {
  const b = before.groups.get(k) ?? { count: 0, size: 0 };
  groups.set(k, { count: g.count - b.count, size: g.size - b.size });
}
console.log(`${second ? `${file} → ${second}` : file}: ${((after.total - before.total) / 1024 / 1024).toFixed(1)} MiB`);
for (const [k, g] of [...groups.entries()].sort((a, b) => b[1].size - a[1].size).slice(0, Number(n))) {
  console.log(`${(g.size / 1024).toFixed(0).padStart(8)} KiB ${String(g.count).padStart(8)}  ${k.slice(0, 100)}`);
}
