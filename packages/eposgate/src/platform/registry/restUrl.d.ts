import type { FieldIssue } from '../errors.ts';
import type { Environment } from '../tenant.ts';
export declare function restBaseUrl(raw: string, env: Environment): {
    baseUrl: string;
} | {
    issue: FieldIssue;
};
