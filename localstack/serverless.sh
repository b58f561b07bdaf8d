#!/usr/bin/env bash
# The serverless CLI on stage `localstack`, i.e. through serverless-localstack into the
# LocalStack container of compose.yml (http://localhost:4566). See localstack/README.md.
#
#   bash localstack/serverless.sh deploy        # npm run deploy:localstack
#   bash localstack/serverless.sh info --verbose
#   bash localstack/serverless.sh remove        # npm run remove:localstack
#
# It fills in what any deployed stage must have (a JWT issuer and audience: LocalStack
# has no Cognito) with throwaway values, unless your shell sets them, and always uses
# LocalStack's dummy credentials so no real AWS key or profile is ever sent anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
unset AWS_SESSION_TOKEN AWS_PROFILE
export AWS_REGION="${AWS_REGION:-us-east-1}"
# `.invalid` never resolves: tokens cannot be verified on this stage (see the README).
export JWT_ISSUER="${JWT_ISSUER:-https://localstack.invalid/issuer}"
export JWT_AUDIENCE="${JWT_AUDIENCE:-localstack}"
export SLS_TELEMETRY_DISABLED="${SLS_TELEMETRY_DISABLED:-1}"

exec node_modules/.bin/node --import ./workbench/pinned-node.mjs node_modules/serverless/bin/serverless.js "$@" --stage localstack
