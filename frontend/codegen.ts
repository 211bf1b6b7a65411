// Typed GraphQL documents from the committed SDL (never from a running server).
// Run `npm run codegen` after changing schema/schema.graphql or any graphql(`…`) document.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: {
          BigInt: 'number',
          DateTime: 'string',
          JSON: 'unknown',
        },
        avoidOptionals: false,
        skipTypename: false,
      },
    },
  },
};

export default config;
