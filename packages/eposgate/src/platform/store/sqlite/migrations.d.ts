export interface Migration {
    name: string;
    sql: string;
}
export declare const MIGRATIONS: Migration[];
