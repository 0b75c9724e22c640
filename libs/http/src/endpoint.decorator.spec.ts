import { Type } from '@sinclair/typebox';
import { forDocs } from './endpoint.decorator';

describe(forDocs.name, () => {
  it('writes literals (JSON Schema `const`, not in OpenAPI 3.0) as one-value enums, error messages left out', () => {
    const schema = Type.Object({ status: Type.Literal('ok'), code: Type.String({ errorMessage: 'must be text' }) });
    expect(forDocs(schema)).toMatchObject({
      properties: { status: { type: 'string', enum: ['ok'] }, code: { type: 'string' } },
    });
    expect(JSON.stringify(forDocs(schema))).not.toMatch(/"const"|errorMessage/);
  });
});
