/** The authenticated caller of a request (`request.principal`). */
export interface Principal {
  userId: number;
  username: string;
  isAdmin: boolean;
  /** What this credential may do (an admin's token: every scope of the service). */
  scopes: ReadonlySet<string>;
  /** How the caller proved who it is: an API token, or a person's browser session. */
  via: 'token' | 'session';
  /** The API token used, when the caller presented one. */
  tokenId?: number;
  tokenName?: string;
  /** Its visible first characters, to tell tokens apart in logs and the audit trail. */
  tokenPrefix?: string;
  /** The session used, when the caller is a person in a browser. */
  sessionId?: number;
}

/** A caller refused for a reason other than missing credentials (e.g. a failed CSRF check). */
export interface CredentialRefusal {
  refused: { statusCode: number; code: string; message: string };
}

export type CredentialVerdict = Principal | CredentialRefusal | undefined;

/** What a verifier may read of a request. */
export interface CredentialRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Turns a request's credentials into a principal; the auth library provides the real one. */
export interface CredentialVerifier {
  /** The caller; undefined when there are no or no valid credentials. Sync when it can be (cache hits). */
  verify(request: CredentialRequest): CredentialVerdict | Promise<CredentialVerdict>;
}

export const CREDENTIAL_VERIFIER = Symbol('CREDENTIAL_VERIFIER');

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the access check on routes that need a caller. */
    principal?: Principal;
  }
}
