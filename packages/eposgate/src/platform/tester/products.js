export const PRODUCTS = ['Pay at Table', 'Order and Pay', 'Bookings'];
/**
 * A product is ready when every flow it requires passed and every other flow it uses that ran
 * passed. Otherwise, first match wins: not applicable (a required flow needs capabilities the
 * EPOS does not offer), not ready (a flow it depends on failed or timed out), not tested (a flow
 * it depends on was skipped, not run, or not chosen).
 */
export function readiness(flows, outcomes) {
    const names = new Set(PRODUCTS);
    for (const f of flows)
        for (const p of Object.keys(f.products ?? {}))
            names.add(p);
    const out = [];
    for (const product of names) {
        const failed = [];
        const missing = [];
        const untested = [];
        const passed = [];
        let any = false;
        for (const f of flows) {
            const role = f.products?.[product];
            if (!role)
                continue;
            any = true;
            const o = outcomes.get(f.name);
            if (!o) {
                if (role === 'required')
                    untested.push(`${f.name} was not chosen`);
            }
            else if (o.kind === 'passed')
                passed.push(f.name);
            else if (o.kind === 'failed')
                failed.push(`${f.name} ${o.status}`);
            else if (o.kind === 'not applicable') {
                if (role === 'required')
                    missing.push(`${f.name} needs ${o.needs.join(', ')}`);
            }
            else if (o.kind === 'skipped') {
                if (role === 'required')
                    untested.push(`${f.name} was skipped (${o.reason})`);
            }
            else
                untested.push(`${f.name} was not run`);
        }
        if (!any)
            continue;
        const [status, reasons] = missing.length ? ['not applicable', [...missing, ...failed, ...untested]]
            : failed.length ? ['not ready', [...failed, ...untested]]
                : untested.length ? ['not tested', untested]
                    : ['ready', []];
        out.push({ product, status, reasons, passed });
    }
    return out;
}
