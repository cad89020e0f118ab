import { REST_HEADER_NAMES } from '@eposgate/contract';
const HEADER_FIELDS = Object.entries(REST_HEADER_NAMES);
export function requestorFrom(headers) {
    const out = {};
    for (const [field, header] of HEADER_FIELDS) {
        const v = headers[header];
        const s = Array.isArray(v) ? v[0] : v;
        if (s)
            out[field] = s;
    }
    return out;
}
