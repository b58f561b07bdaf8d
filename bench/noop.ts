/**
 * The bench's baseline HTTP function (serverless.bench.cjs only, never deployed):
 * answers at once, so the API figures can be read as "our handler's cost over
 * what serverless-offline itself costs per request".
 */
export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: '{}',
});
