// Validates an OpenAPI document with @apidevtools/swagger-parser (installed by MicroProfileIT into
// servers/target/openapi-validator, found through NODE_PATH) and prints one line per operation:
//   GET /test/pets/{petId} security=apiKey responses=200,403,429 x-usage-plans=basic,dev,premium
// then `valid OpenAPI 3.1.0`. Exits 1, printing the validator's message, when the document is not valid.
const SwaggerParser = require('@apidevtools/swagger-parser');
const fs = require('fs');

const file = process.argv[2];
const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
SwaggerParser.validate(file).then(api => {
  for (const [path, item] of Object.entries(raw.paths || {})) {
    for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']) {
      const op = item[method];
      if (!op) continue;
      const security = (op.security || []).flatMap(requirement => Object.keys(requirement)).join(',');
      const responses = Object.keys(op.responses || {}).sort().join(',');
      const plans = ((op['x-usage-plans'] || {}).plans || []).map(plan => plan.name).join(',');
      console.log(`${method.toUpperCase()} ${path} security=${security} responses=${responses} x-usage-plans=${plans}`);
    }
  }
  const schemes = (raw.components || {}).securitySchemes || {};
  for (const [name, scheme] of Object.entries(schemes)) {
    console.log(`scheme ${name} type=${scheme.type} in=${scheme.in} name=${scheme.name}`);
  }
  console.log('valid OpenAPI ' + api.openapi);
}).catch(e => {
  console.error(e.message);
  process.exit(1);
});
