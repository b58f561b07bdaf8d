#!/usr/bin/env bash
# LocalStack READY hook: creates the DynamoDB table (store schema v2) and the two SQS queues exactly
# as serverless.yml defines them for stage `local`. The names come from stage-local.env
# beside this file (generated from src/config/stages.ts); the rest is kept in step with
# serverless.yml by test/integration/localstack-hook.test.ts.
#
# For route (a) in localstack/README.md (LocalStack as emulators, `sls offline`).
# Route (b) (`sls deploy --stage localstack`) has its own names and lets
# CloudFormation create them; CREATE_RESOURCES=0 turns this hook off.
#
# Idempotent: safe to run again by hand, e.g.
#   docker compose -f localstack/compose.yml exec localstack \
#     /etc/localstack/init/ready.d/10-create-resources.sh
set -euo pipefail
shopt -s inherit_errexit  # keep `set -e` inside $(...) too

if [[ "${CREATE_RESOURCES:-1}" == "0" ]]; then
  echo "[create-resources] CREATE_RESOURCES=0: skipped (CloudFormation creates the resources)"
  exit 0
fi

# Since LocalStack 4, init hooks get no default credentials; any value works.
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
REGION="${AWS_DEFAULT_REGION:-us-east-1}"

# TABLE, QUEUE, DLQ and the three index names of stage `local`.
# shellcheck source=stage-local.env
source "$(dirname "${BASH_SOURCE[0]}")/stage-local.env"
# Settings from serverless.yml.
VISIBILITY_TIMEOUT=60            # params.local.visibilityTimeout
QUEUE_RETENTION=345600           # 4 days
DLQ_RETENTION=1209600            # 14 days
MAX_RECEIVE_COUNT=5

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

aws_() { awslocal --region "$REGION" "$@"; }
log() { echo "[create-resources] $*"; }

ensure_table() {
  local out err="$TMP/describe-table.err"
  if out=$(aws_ dynamodb describe-table --table-name "$TABLE" \
      --query 'Table.GlobalSecondaryIndexes[].IndexName' --output text 2>"$err"); then
    # Exists: refuse to carry on silently with a table of another shape.
    local indexes
    indexes=$(tr -s '[:space:]' '\n' <<<"$out" | sort | xargs)
    local expected
    expected=$(printf '%s\n' "$ACTIVE_INDEX" "$OWNER_INDEX" "$CONTENT_INDEX" | sort | xargs)
    if [[ "$indexes" != "$expected" ]]; then
      log "table $TABLE exists with indexes '$indexes', expected '$expected'; delete it and re-run" >&2
      return 1
    fi
    log "table $TABLE exists"
  elif grep -q ResourceNotFoundException "$err"; then
    aws_ dynamodb create-table \
      --table-name "$TABLE" \
      --billing-mode PAY_PER_REQUEST \
      --attribute-definitions \
        AttributeName=id,AttributeType=S \
        AttributeName=owner,AttributeType=S \
        AttributeName=createdAt,AttributeType=S \
        AttributeName=activeShard,AttributeType=S \
        AttributeName=reapAt,AttributeType=S \
        AttributeName=contentHash,AttributeType=S \
      --key-schema AttributeName=id,KeyType=HASH \
      --global-secondary-indexes "$(cat <<JSON
      [
        {
          "IndexName": "$ACTIVE_INDEX",
          "KeySchema": [
            {"AttributeName": "activeShard", "KeyType": "HASH"},
            {"AttributeName": "reapAt", "KeyType": "RANGE"}
          ],
          "Projection": {
            "ProjectionType": "KEYS_ONLY"
          }
        },
        {
          "IndexName": "$OWNER_INDEX",
          "KeySchema": [
            {"AttributeName": "owner", "KeyType": "HASH"},
            {"AttributeName": "createdAt", "KeyType": "RANGE"}
          ],
          "Projection": {
            "ProjectionType": "KEYS_ONLY"
          }
        },
        {
          "IndexName": "$CONTENT_INDEX",
          "KeySchema": [
            {"AttributeName": "contentHash", "KeyType": "HASH"},
            {"AttributeName": "createdAt", "KeyType": "RANGE"}
          ],
          "Projection": {
            "ProjectionType": "INCLUDE",
            "NonKeyAttributes": ["result"]
          }
        }
      ]
JSON
      )" \
      --sse-specification Enabled=true \
      >/dev/null
    log "table $TABLE created"
  else
    cat "$err" >&2
    return 1
  fi

  aws_ dynamodb wait table-exists --table-name "$TABLE"

  # PointInTimeRecoveryEnabled: true in serverless.yml. Nothing local depends on
  # it, so an emulator that lacks the call only earns a warning.
  if ! aws_ dynamodb update-continuous-backups --table-name "$TABLE" \
      --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true >/dev/null; then
    log "warning: could not enable point-in-time recovery on $TABLE (no local effect)" >&2
  fi

  # TimeToLiveSpecification on expiresAt in serverless.yml (idempotency records).
  if ! aws_ dynamodb update-time-to-live --table-name "$TABLE" \
      --time-to-live-specification Enabled=true,AttributeName=expiresAt >/dev/null; then
    log "warning: could not enable TTL on $TABLE (expired records then stay, unused)" >&2
  fi
}

# json_object KEY=VALUE... -> {"KEY":"VALUE",...} with VALUE escaped as a JSON string.
json_object() {
  local pair key value out=""
  for pair in "$@"; do
    key=${pair%%=*} value=${pair#*=}
    value=${value//\\/\\\\} value=${value//\"/\\\"}
    out+="${out:+,}\"$key\":\"$value\""
  done
  echo "{$out}"
}

# ensure_queue NAME KEY=VALUE... -> prints the queue URL.
# Creates the queue with these attributes, or sets on an existing queue those
# that differ (CreateQueue alone fails when an existing queue's attributes differ).
ensure_queue() {
  local name="$1" url pair current
  shift
  if url=$(aws_ sqs get-queue-url --queue-name "$name" --query QueueUrl --output text 2>/dev/null); then
    local changed=()
    for pair in "$@"; do
      current=$(aws_ sqs get-queue-attributes --queue-url "$url" --attribute-names "${pair%%=*}" \
        --query "Attributes.${pair%%=*}" --output text)
      [[ "$current" == "${pair#*=}" ]] || changed+=("$pair")
    done
    if ((${#changed[@]})); then
      aws_ sqs set-queue-attributes --queue-url "$url" --attributes "$(json_object "${changed[@]}")" >/dev/null
      log "queue $name existed; set ${changed[*]%%=*}" >&2
    else
      log "queue $name exists" >&2
    fi
  else
    url=$(aws_ sqs create-queue --queue-name "$name" --attributes "$(json_object "$@")" \
      --query QueueUrl --output text)
    log "queue $name created" >&2
  fi
  echo "$url"
}

ensure_table

dlq_url=$(ensure_queue "$DLQ" \
  MessageRetentionPeriod="$DLQ_RETENTION" \
  SqsManagedSseEnabled=true)
dlq_arn=$(aws_ sqs get-queue-attributes --queue-url "$dlq_url" \
  --attribute-names QueueArn --query Attributes.QueueArn --output text)

queue_url=$(ensure_queue "$QUEUE" \
  VisibilityTimeout="$VISIBILITY_TIMEOUT" \
  MessageRetentionPeriod="$QUEUE_RETENTION" \
  SqsManagedSseEnabled=true \
  RedrivePolicy="{\"deadLetterTargetArn\":\"$dlq_arn\",\"maxReceiveCount\":$MAX_RECEIVE_COUNT}")

log "ready: table $TABLE, queue $queue_url, dead-letter queue $dlq_url"
