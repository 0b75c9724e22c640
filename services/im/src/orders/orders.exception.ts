import { ApiException } from '@pjs/http';

export class OrderNotFoundException extends ApiException {
  constructor(orderNumber: string) {
    super(404, 'order_not_found', `Order ${orderNumber} not found.`);
  }
}
