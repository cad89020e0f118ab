export declare function openApiDocument(): object;
