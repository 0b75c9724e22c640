import { EventTypes } from '@pjs/contracts';
import {
  ERROR_HEADER,
  EVENTS_EXCHANGE,
  EnvelopePublisher,
  connectBroker,
  createEnvelope,
  deadLetterQueueName,
  type AmqpConnection,
} from '@pjs/messaging';
import { createTestVhost, waitFor, type TestVhost } from '@pjs/testing';
import { randomBytes } from 'node:crypto';
import { ImQueues } from '../../src/core/im-queues';
import { metric, startIm, type ImStack } from '../integration/support/sync-harness';

jest.setTimeout(60_000);

const DLQ = deadLetterQueueName(ImQueues.orderIntake.queue);
type GetMessage = Exclude<Awaited<ReturnType<AmqpConnection['channel']['get']>>, false>;
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** The MailBot payload of contracts.md: numbers as strings, a "5%" discount. */
const mailBot = (orderNumber: string, itemNo: string) => ({
  order_number: orderNumber,
  items: [
    { item_no: itemNo, title: 'Widget', price: '12.50', discount: '5%', quantity: '2', uom: 'stk', total: '25.00' },
  ],
});

describe('im.order.received intake (im-worker, real PostgreSQL + RabbitMQ)', () => {
  let vhost: TestVhost;
  let im: ImStack;
  let broker: AmqpConnection;
  let publisher: EnvelopePublisher;

  beforeAll(async () => {
    vhost = await createTestVhost('im_intake');
    // DBU is not needed by the intake; nothing listens on port 9.
    im = await startIm('intake', { rabbitUrl: vhost.url, dbuUrl: 'http://127.0.0.1:9' });
    await im.startWorker();
    broker = await connectBroker({ url: vhost.url });
    publisher = new EnvelopePublisher(broker);
  });

  afterAll(async () => {
    await broker?.close();
    await im?.close();
    await vhost?.drop();
  });

  const orderCount = async (orderNumber: string) =>
    (
      await im.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM orders WHERE order_number = $1`, [
        orderNumber,
      ])
    )[0].n;

  const deadLetter = () =>
    waitFor(async () => (await broker.channel.get(DLQ, { noAck: true })) || undefined, 20_000) as Promise<GetMessage>;

  it('creates the order once even when the same message is delivered twice', async () => {
    const orderNumber = unique('AMQP');
    const itemNo = unique('ITEM');
    const envelope = createEnvelope(EventTypes.orderReceived, mailBot(orderNumber, itemNo));
    const duplicatesBefore = await metric('messages_consumed_total', {
      queue: ImQueues.orderIntake.queue,
      outcome: 'duplicate',
    });

    await publisher.publish(envelope, EventTypes.orderReceived);
    await publisher.publish(envelope, EventTypes.orderReceived);

    await waitFor(
      async () =>
        (await metric('messages_consumed_total', { queue: ImQueues.orderIntake.queue, outcome: 'duplicate' })) ===
        duplicatesBefore + 1,
      20_000,
    );
    expect(await orderCount(orderNumber)).toBe(1);
    const [order] = await im.dataSource.query(
      `SELECT o.source, o.actor, l.price::text, l.discount_amount::text, l.quantity
         FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.order_number = $1`,
      [orderNumber],
    );
    expect(order).toEqual({ source: 'amqp', actor: 'amqp', price: '12.50', discount_amount: '1.25', quantity: 2 });
    const [item] = await im.dataSource.query(
      `SELECT i.quantity, (SELECT count(*)::int FROM stock_movements m WHERE m.item_id = i.id) AS movements
         FROM items i WHERE i.item_no = $1`,
      [itemNo],
    );
    expect(item).toEqual({ quantity: 2, movements: 1 });
    const processed = await im.dataSource.query(
      `SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2`,
      [ImQueues.orderIntake.queue, envelope.id],
    );
    expect(processed).toHaveLength(1);
  });

  it('changes nothing for a second message with a known order number', async () => {
    const orderNumber = unique('AMQP');
    const itemNo = unique('ITEM');
    await publisher.publish(
      createEnvelope(EventTypes.orderReceived, mailBot(orderNumber, itemNo)),
      EventTypes.orderReceived,
    );
    await waitFor(async () => (await orderCount(orderNumber)) === 1, 20_000);
    const before = await metric('im_orders_received_total', { source: 'amqp', result: 'duplicate' });

    await publisher.publish(
      createEnvelope(EventTypes.orderReceived, mailBot(orderNumber, itemNo)),
      EventTypes.orderReceived,
      {
        headers: {},
      },
    );
    await waitFor(
      async () => (await metric('im_orders_received_total', { source: 'amqp', result: 'duplicate' })) === before + 1,
      20_000,
    );
    expect(await orderCount(orderNumber)).toBe(1);
    const [item] = await im.dataSource.query(`SELECT quantity FROM items WHERE item_no = $1`, [itemNo]);
    expect(item.quantity).toBe(2);
  });

  it('names the producer (AMQP app id) as the actor', async () => {
    const orderNumber = unique('AMQP');
    await broker.publish(
      EVENTS_EXCHANGE,
      EventTypes.orderReceived,
      Buffer.from(JSON.stringify(createEnvelope(EventTypes.orderReceived, mailBot(orderNumber, unique('ITEM'))))),
      { persistent: true, appId: 'mailbot' },
    );
    await waitFor(async () => (await orderCount(orderNumber)) === 1, 20_000);
    const [order] = await im.dataSource.query(`SELECT actor FROM orders WHERE order_number = $1`, [orderNumber]);
    expect(order.actor).toBe('amqp:mailbot');
  });

  it('dead-letters an invalid order with the reason, naming the field, in x-error', async () => {
    const orderNumber = unique('BAD');
    const payload = mailBot(orderNumber, unique('ITEM'));
    payload.items[0].quantity = 'two';
    await publisher.publish(createEnvelope(EventTypes.orderReceived, payload), EventTypes.orderReceived);

    const dead = await deadLetter();
    const reason = String(dead.properties.headers?.[ERROR_HEADER]);
    expect(reason).toContain('invalid im.order.received data');
    expect(reason).toContain('items.0.quantity: must be a whole number');
    expect(JSON.parse(dead.content.toString()).data.order_number).toBe(orderNumber);
    expect(await orderCount(orderNumber)).toBe(0);
  });

  it('dead-letters an order without lines', async () => {
    await publisher.publish(
      createEnvelope(EventTypes.orderReceived, { order_number: unique('EMPTY'), items: [] }),
      EventTypes.orderReceived,
    );
    const dead = await deadLetter();
    expect(String(dead.properties.headers?.[ERROR_HEADER])).toContain('items: must be a list of 1 to 1000 order lines');
  });

  it('dead-letters a message that is not an envelope', async () => {
    await broker.publish(EVENTS_EXCHANGE, EventTypes.orderReceived, Buffer.from('{"order_number": "1"'), {
      persistent: true,
    });
    const dead = await deadLetter();
    expect(String(dead.properties.headers?.[ERROR_HEADER])).toContain('body is not valid JSON');
  });
});
