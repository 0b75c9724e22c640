import { Type } from '@sinclair/typebox';

/** The JSON every error answer carries, in every service (OpenAPI: `Error`). */
export const ErrorSchema = Type.Object(
  {
    statusCode: Type.Integer({ example: 400 }),
    code: Type.String({ description: 'Stable machine-readable reason, e.g. validation_failed', example: 'not_found' }),
    message: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
        description: 'One entry per bad field (validation_failed)',
      }),
    ),
    request_id: Type.Optional(Type.String({ description: 'The X-Request-Id of the request' })),
  },
  { title: 'Error' },
);
