export declare class SecretBox {
    private readonly key;
    constructor(key: Buffer);
    static load(dataDir: string, fromEnv?: string | undefined): SecretBox;
    /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
    seal(plain: string): string;
    /**
     * The plain text; throws when `sealed` was not sealed under this key (the key changed since) or is
     * damaged. Callers that can recover use tryOpen.
     */
    open(sealed: string): string;
    /** The plain text, or undefined when this key cannot open `sealed`. */
    tryOpen(sealed: string): string | undefined;
}
