// swagger-ui-dist ships no types; what docs/main.ts uses of it.
declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  interface SwaggerUI {
    preauthorizeApiKey(scheme: string, key: string): void;
  }
  export default function SwaggerUIBundle(options: Record<string, unknown>): SwaggerUI;
}
