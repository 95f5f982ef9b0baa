// /docs: Swagger UI on the node's own /openapi.json. "Authorize" takes an
// API key (the bearer scheme); a key the web UI signed in with in this
// tab is filled in already. "Try it out" calls this node (servers: /).
import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import { storedKey } from '../auth';

const ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger',
  deepLinking: true,
  tryItOutEnabled: false,
  onComplete: () => {
    const key = storedKey();
    if (key) ui.preauthorizeApiKey('bearer', key);
  },
});
