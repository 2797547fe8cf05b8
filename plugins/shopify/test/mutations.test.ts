import { parse, validate } from 'graphql';
import { MUTATIONS } from '../src/payments-api/mutations.js';
import { loadPaymentsSchema, PAYMENTS_SCHEMA_VERSION } from '../src/testing/payments-schema.js';

it(`every mutation document is valid against Shopify's published ${PAYMENTS_SCHEMA_VERSION} schema`, async () => {
  const schema = await loadPaymentsSchema();
  for (const [name, spec] of Object.entries(MUTATIONS)) {
    const errors = validate(schema, parse(spec.document)).map((e) => e.message);
    expect({ name, errors }).toEqual({ name, errors: [] });
    expect(schema.getMutationType()?.getFields()[name]).toBeDefined();
  }
});

it('the schema is the published one: it rejects a field Shopify does not have', async () => {
  const schema = await loadPaymentsSchema();
  const errors = validate(
    schema,
    parse('mutation { paymentSessionResolve(id: "x") { paymentSession { total } } }'),
  );
  expect(errors.map((e) => e.message)).toEqual(['Cannot query field "total" on type "PaymentSession".']);
});
