/** The movement types of the stock ledger. */
export type MovementType = 'receive' | 'add' | 'reduce' | 'delete' | 'restore';

/** The operations callers may run on one item (receive goes through ReceiveService). */
export type StockOperation = Exclude<MovementType, 'receive'>;

/** Who changed the stock: the user name (idempotency keys are scoped to it) and the token used. */
export interface Actor {
  name: string;
  tokenId: number | null;
}

export interface MovementView {
  id: string;
  type: MovementType;
  amount: number;
  balance_after: number;
  order_id: string | null;
  actor: string;
  reason: string | null;
  created_at: string;
}

export interface StockChangeResult {
  item_no: string;
  quantity: number;
  movement: MovementView;
}
