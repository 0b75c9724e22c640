/** The authenticated caller, attached to the request as `req.user`. */
export interface Principal {
  userId: number;
  username: string;
  isAdmin: boolean;
  tokenId: number;
  tokenName: string;
}
