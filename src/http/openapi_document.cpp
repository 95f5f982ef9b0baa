// The OpenAPI 3.1 document served at /openapi.json. Every route of api.cpp
// appears here and nothing else does (tests/unit/http/openapi_test.cpp).
#include "http/openapi.h"

namespace postern::http {

std::string_view openapi_document() {
  return R"json({
  "openapi": "3.1.0",
  "info": {
    "title": "Postern",
    "version": "1",
    "description": "Failure-resistant email gateway. Messages are stored durably before any 2xx answer and delivered through whichever provider is healthy. Errors are JSON: {\"error\": {\"code\", \"message\", \"field\"}}. Authenticate with `Authorization: Bearer <key>`; while no key exists, loopback callers are trusted."
  },
  "servers": [{"url": "/"}],
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
      "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message", "field"], "properties": {
          "code": {"type": "string", "examples": ["invalid_address"]},
          "message": {"type": "string"},
          "field": {"type": ["string", "null"], "description": "The offending field as a JSON path, e.g. to[1], attachments[0].content, or a header name."}}}}
      },
      "Address": {
        "oneOf": [
          {"type": "string", "description": "addr@example.com or \"Name <addr@example.com>\"; a comma-separated list where a list is allowed"},
          {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}, "name": {"type": "string"}}}
        ]
      },
      "AddressList": {"oneOf": [{"$ref": "#/components/schemas/Address"}, {"type": "array", "items": {"$ref": "#/components/schemas/Address"}}]},
      "Attachment": {
        "type": "object",
        "required": ["filename", "content"],
        "properties": {
          "filename": {"type": "string"},
          "content": {"type": "string", "contentEncoding": "base64"},
          "content_type": {"type": "string", "default": "application/octet-stream"},
          "disposition": {"enum": ["attachment", "inline"], "default": "attachment"},
          "content_id": {"type": "string", "description": "For inline parts referenced from HTML as cid:..."}
        },
        "additionalProperties": false
      },
      "SendRequest": {
        "type": "object",
        "required": ["from"],
        "description": "At least one recipient (to, cc or bcc) and one of text or html are required. Unknown fields are refused.",
        "properties": {
          "from": {"$ref": "#/components/schemas/Address"},
          "to": {"$ref": "#/components/schemas/AddressList"},
          "cc": {"$ref": "#/components/schemas/AddressList"},
          "bcc": {"$ref": "#/components/schemas/AddressList"},
          "reply_to": {"$ref": "#/components/schemas/AddressList"},
          "subject": {"type": "string"},
          "text": {"type": "string"},
          "html": {"type": "string"},
          "headers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Extra headers; structural ones (From, To, Subject, Content-Type, ...) are refused."},
          "attachments": {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"}},
          "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
          "metadata": {"type": "object", "additionalProperties": {"type": "string"}}
        },
        "additionalProperties": false
      },
      "Accepted": {"type": "object", "required": ["id", "status"], "properties": {"id": {"type": "string"}, "status": {"type": "string"}}},
      "Outcome": {
        "type": "object",
        "required": ["id", "status"],
        "properties": {"id": {"type": "string"}, "status": {"enum": ["sent", "failed", "cancelled", "pending"]},
                       "provider": {"type": ["string", "null"]}, "provider_message_id": {"type": "string"}, "reason": {"type": "string"}}
      },
      "Status": {"enum": ["queued", "sending", "sent", "deferred", "failed", "cancelled", "quarantined"]},
      "Event": {
        "type": "object",
        "required": ["seq", "at", "type", "status"],
        "properties": {
          "seq": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
          "type": {"type": "string", "examples": ["accepted", "sent", "deferred", "failed", "cancelled", "retried", "reclaimed"]},
          "status": {"$ref": "#/components/schemas/Status"}, "provider": {"type": "string"},
          "class": {"enum": ["ok", "transient", "provider_down", "permanent"]}, "code": {"type": "string"},
          "latency_ms": {"type": "number"}, "detail": {"type": "string"}
        }
      },
      "MessageSummary": {
        "type": "object",
        "properties": {
          "id": {"type": "string"}, "status": {"$ref": "#/components/schemas/Status"},
          "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
          "next_attempt_at": {"type": ["string", "null"], "format": "date-time"}, "attempts": {"type": "integer"},
          "from": {"type": "string"}, "to": {"type": "array", "items": {"type": "string"}},
          "cc": {"type": "array", "items": {"type": "string"}}, "bcc": {"type": "array", "items": {"type": "string"}},
          "settled_recipients": {"type": "array", "items": {"type": "string"},
                                 "description": "Recipients an attempt delivered to (or that were refused for good) while others still wait; later attempts leave them out"},
          "refused_recipients": {"type": "array", "items": {"type": "string"},
                                 "description": "Of settled_recipients, those refused for good; a manual retry tries them again"},
          "subject": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}, "size": {"type": "integer"},
          "format": {"enum": ["json", "mime"]}, "provider": {"type": ["string", "null"]},
          "provider_message_id": {"type": ["string", "null"]}, "last_error": {"type": ["string", "null"]}
        }
      },
      "MessageDetail": {
        "allOf": [{"$ref": "#/components/schemas/MessageSummary"},
                  {"type": "object", "properties": {"events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}]
      },
      "Key": {"type": "object", "properties": {"name": {"type": "string"}, "scopes": {"type": "array", "items": {"enum": ["send", "read", "admin", "heartbeat"]}},
                                                 "created_at": {"type": "string", "format": "date-time"}}},
      "ProviderState": {"enum": ["healthy", "half_open", "ejected", "unhealthy", "lapsed", "draining", "drained", "paused"],
                        "description": "In precedence order from paused (operator) down: paused, draining/drained (admin), lapsed (heartbeat), unhealthy (probe), ejected/half_open (outlier), healthy."},
      "Provider": {
        "type": "object",
        "properties": {
          "name": {"type": "string"}, "type": {"type": "string"}, "pool": {"type": "string"},
          "source": {"enum": ["config", "api", "heartbeat"]}, "weight": {"type": "integer"}, "priority": {"type": "integer"},
          "state": {"$ref": "#/components/schemas/ProviderState"},
          "check": {"enum": ["admin", "heartbeat", "probe", "outlier", null], "description": "The check that decided the state"},
          "reason": {"type": "string"}, "since": {"type": "string", "format": "date-time"},
          "admin": {"enum": ["active", "draining", "paused"]},
          "settings": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Credentials are shown as ***"},
          "probe": {"type": "object", "properties": {"enabled": {"type": "boolean"}, "healthy": {"type": "boolean"},
            "last_at": {"type": ["string", "null"], "format": "date-time"}, "last_ok": {"type": "boolean"}, "detail": {"type": "string"},
            "latency_ms": {"type": "number"}, "consecutive_failures": {"type": "integer"}}},
          "outlier": {"type": "object", "properties": {"phase": {"enum": ["ok", "ejected", "half_open"]}, "ejections": {"type": "integer"},
            "ejected_until": {"type": ["string", "null"], "format": "date-time"}, "consecutive_failures": {"type": "integer"}}},
          "heartbeat": {"type": ["object", "null"], "properties": {"last_at": {"type": "string", "format": "date-time"}, "ttl_ms": {"type": "number"}}},
          "latency_ms": {"type": "number", "description": "EWMA of accepted sends"},
          "success_rate": {"type": ["number", "null"], "description": "Last minute"},
          "in_flight": {"type": "integer"}, "attempts_last_minute": {"type": "integer"},
          "share": {"type": "number", "description": "Share of all attempts routed in the last minute"},
          "rate_limit": {"type": ["object", "null"], "properties": {"rate": {"type": "number"}, "burst": {"type": "number"},
            "tokens": {"type": "number"}, "paused_until": {"type": ["string", "null"], "format": "date-time"}}},
          "paused_until": {"type": ["string", "null"], "format": "date-time", "description": "A 429's Retry-After in force"},
          "max_concurrency": {"type": ["integer", "null"]}, "concurrency_limit": {"type": ["integer", "null"]}
        }
      },
      "ProviderFields": {
        "type": "object",
        "description": "Keys every provider has, and its type-specific settings (docs/configuration.md, docs/providers.md). Errors name the field, e.g. settings.host.",
        "properties": {
          "type": {"enum": ["mailgun", "sendgrid", "ses", "postmark", "smtp", "capture"]},
          "pool": {"type": "string", "default": "default"}, "weight": {"type": "integer", "default": 1},
          "priority": {"type": "integer", "default": 1}, "rate_limit": {"type": "number", "description": "Messages per second; 0 for none"},
          "burst": {"type": "integer"}, "max_concurrency": {"type": "integer"}, "probe": {"type": "boolean", "default": true},
          "settings": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}
        }
      },
      "ProviderDefinition": {
        "allOf": [{"$ref": "#/components/schemas/ProviderFields"},
                  {"type": "object", "properties": {"name": {"type": "string", "description": "POST only; PUT takes it from the path"}}}],
        "unevaluatedProperties": false
      },
      "HeartbeatReply": {
        "type": "object",
        "properties": {"registered": {"type": "boolean"}, "returned": {"type": "boolean", "description": "It had lapsed and is back"},
                       "ttl_ms": {"type": "number"}, "provider": {"$ref": "#/components/schemas/Provider"}}
      },
      "Heartbeat": {
        "description": "The name comes from the path. The connection details are needed by the first beat of a name not known yet.",
        "allOf": [{"$ref": "#/components/schemas/ProviderFields"},
                  {"type": "object", "properties": {"ttl": {"type": ["string", "number"], "description": "Time until the next beat is due (\"30s\" or seconds); default routing.heartbeat_window"}}}],
        "unevaluatedProperties": false
      },
      "Route": {
        "type": "object", "required": ["pool"],
        "properties": {"sender_domain": {"type": "string", "examples": ["*.example.com"]}, "tag": {"type": "string"},
                       "metadata": {"oneOf": [{"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 1}, {"type": "string", "examples": ["tenant=acme"]}]},
                       "pool": {"type": "string"}}
      },
      "Routing": {
        "type": "object",
        "properties": {
          "strategy": {"enum": ["random", "round_robin", "weighted", "priority", "least_latency"]},
          "strategies": {"type": "array", "items": {"type": "string"}}, "default_pool": {"type": "string"},
          "routes": {"type": "array", "items": {"$ref": "#/components/schemas/Route"}},
          "pools": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"},
            "providers": {"type": "array", "items": {"type": "string"}}, "active": {"type": "integer"}}}},
          "health": {"type": "object"}, "outlier": {"type": "object"}, "heartbeat": {"type": "object"}
        }
      }
    },
    "responses": {
      "Error": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "parameters": {
      "id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "Message id (13 characters)"},
      "provider": {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}, "description": "Provider name"}
    }
  },
  "security": [{"bearer": []}],
  "paths": {
    "/v1/messages": {
      "post": {
        "summary": "Send a message",
        "description": "Stores the message durably, then answers 202 with its id. With `Prefer: wait=N` (or `?wait=N`) waits up to N seconds for the outcome: 200 sent, 502 failed, 202 still pending. `Idempotency-Key`: the same key and body return the first answer; another body is a 409. Scope: send.",
        "parameters": [
          {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 255}},
          {"name": "Prefer", "in": "header", "schema": {"type": "string", "examples": ["wait=10"]}},
          {"name": "wait", "in": "query", "schema": {"type": "integer", "minimum": 0}},
          {"name": "tag", "in": "query", "schema": {"type": "string"}, "description": "Tags for raw message/rfc822 bodies (repeatable)"}
        ],
        "requestBody": {"required": true, "content": {
          "application/json": {"schema": {"$ref": "#/components/schemas/SendRequest"}},
          "message/rfc822": {"schema": {"type": "string"}, "description": "A complete RFC 5322 message; recipients are taken from To, Cc and Bcc, and Bcc is removed before delivery."}}},
        "responses": {
          "202": {"description": "Accepted and durable", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
          "200": {"description": "Sent (sync mode)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Outcome"}}}},
          "502": {"description": "Failed (sync mode)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Outcome"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"}, "503": {"$ref": "#/components/responses/Error"},
          "507": {"$ref": "#/components/responses/Error"}
        }
      },
      "get": {
        "summary": "List messages, newest first",
        "description": "Scope: read.",
        "parameters": [
          {"name": "status", "in": "query", "schema": {"$ref": "#/components/schemas/Status"}},
          {"name": "since", "in": "query", "schema": {"type": "string"}, "description": "RFC 3339 time or Unix seconds (inclusive)"},
          {"name": "until", "in": "query", "schema": {"type": "string"}, "description": "RFC 3339 time or Unix seconds (exclusive)"},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
          {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page"}
        ],
        "responses": {
          "200": {"description": "A page", "content": {"application/json": {"schema": {"type": "object", "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/MessageSummary"}},
            "next_cursor": {"type": ["string", "null"]}}}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/messages/{id}": {
      "get": {
        "summary": "A message, its status and its event timeline",
        "description": "Scope: read.",
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "responses": {"200": {"description": "The message", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MessageDetail"}}}},
                      "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/messages/{id}/raw": {
      "get": {
        "summary": "The message as RFC 5322 bytes, as it is sent",
        "description": "Scope: read.",
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "responses": {"200": {"description": "The message", "content": {"message/rfc822": {"schema": {"type": "string"}}}},
                      "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/messages/{id}/cancel": {
      "post": {
        "summary": "Cancel a queued, deferred or quarantined message",
        "description": "A cancelled message is deleted by retention like mail that was sent. Scope: send.",
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "responses": {"200": {"description": "Cancelled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
                      "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/messages/{id}/retry": {
      "post": {
        "summary": "Send a failed, deferred, cancelled or quarantined message again, now",
        "description": "Starts a new retry window. A sent message with refused_recipients is retried to them alone; other sent messages answer 409. Scope: send.",
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "responses": {"200": {"description": "Queued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
                      "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/keys": {
      "get": {
        "summary": "List API keys (never their secrets)",
        "description": "Scope: admin.",
        "responses": {"200": {"description": "Keys", "content": {"application/json": {"schema": {"type": "object", "properties": {
          "data": {"type": "array", "items": {"$ref": "#/components/schemas/Key"}}}}}}}}
      },
      "post": {
        "summary": "Create an API key; the secret is shown once",
        "description": "Scope: admin.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {
          "name": {"type": "string"}, "scopes": {"type": "array", "items": {"enum": ["send", "read", "admin", "heartbeat"]}, "default": ["send"]}}}}}},
        "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {"type": "object", "properties": {
          "name": {"type": "string"}, "scopes": {"type": "array", "items": {"type": "string"}}, "secret": {"type": "string"}}}}}},
          "409": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/keys/{name}": {
      "delete": {
        "summary": "Delete an API key",
        "description": "Scope: admin.",
        "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"204": {"description": "Deleted"}, "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/providers": {
      "get": {
        "summary": "Every provider, its state and why, latency, success rate, in flight, limits and share of traffic",
        "description": "Scope: read.",
        "responses": {"200": {"description": "Providers", "content": {"application/json": {"schema": {"type": "object", "properties": {
          "data": {"type": "array", "items": {"$ref": "#/components/schemas/Provider"}}}}}}}}
      },
      "post": {
        "summary": "Add a provider at run time",
        "description": "Created through the same factories as the configuration; the provider joins its pool at once. Kept until deleted or the process restarts; a reload leaves it alone. Scope: admin.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProviderDefinition"}}}},
        "responses": {"201": {"description": "Added", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Provider"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
                      "422": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/providers/{name}": {
      "get": {
        "summary": "One provider",
        "description": "Scope: read.",
        "parameters": [{"$ref": "#/components/parameters/provider"}],
        "responses": {"200": {"description": "The provider", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Provider"}}}},
                      "404": {"$ref": "#/components/responses/Error"}}
      },
      "put": {
        "summary": "Change a provider",
        "description": "The fields given replace the current ones (settings as a whole). New routing attributes apply in place; new type or settings open a new connection while the old one finishes its attempts. Scope: admin.",
        "parameters": [{"$ref": "#/components/parameters/provider"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProviderDefinition"}}}},
        "responses": {"200": {"description": "Changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Provider"}}}},
                      "404": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}
      },
      "delete": {
        "summary": "Remove a provider: it takes no new mail and leaves once its attempts in flight have answered",
        "description": "Scope: admin.",
        "parameters": [{"$ref": "#/components/parameters/provider"}],
        "responses": {"202": {"description": "Draining, then removed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Provider"}}}},
                      "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/providers/{name}/heartbeat": {
      "post": {
        "summary": "A heartbeat from a relay or agent",
        "description": "The first beat of an unknown name registers it with the connection details it carries (if routing.heartbeat_registration allows the name) and it joins its pool. A provider whose beats stop for its ttl leaves the active set (lapsed); the next beat brings it back. Later beats may carry changed details. Scope: heartbeat (a key with admin may beat too).",
        "parameters": [{"$ref": "#/components/parameters/provider"}],
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Heartbeat"}}}},
        "responses": {
          "201": {"description": "Registered", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HeartbeatReply"}}}},
          "200": {"description": "Beat taken", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HeartbeatReply"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/providers/{name}/drain": {
      "post": {
        "summary": "Drain: finish the attempts in flight, take no new mail (state draining, then drained)",
        "description": "Undone by resume. Scope: admin.",
        "parameters": [{"$ref": "#/components/parameters/provider"}],
        "responses": {"200": {"description": "Draining", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Provider"}}}},
                      "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/providers/{name}/pause": {
      "post": {
        "summary": "Pause: take no new mail until resumed",
        "description": "Scope: admin.",
        "parameters": [{"$ref": "#/components/parameters/provider"}],
        "responses": {"200": {"description": "Paused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Provider"}}}},
                      "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/providers/{name}/resume": {
      "post": {
        "summary": "Resume after drain or pause",
        "description": "Scope: admin.",
        "parameters": [{"$ref": "#/components/parameters/provider"}],
        "responses": {"200": {"description": "Active", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Provider"}}}},
                      "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/routing": {
      "get": {
        "summary": "Strategy, routes, pools and health settings",
        "description": "Scope: read.",
        "responses": {"200": {"description": "Routing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Routing"}}}}}
      },
      "put": {
        "summary": "Change the strategy, the default pool or the routes",
        "description": "Only the fields given change. A SIGHUP reload applies the file again. Scope: admin.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {
          "strategy": {"type": "string"}, "default_pool": {"type": "string"},
          "routes": {"type": "array", "items": {"$ref": "#/components/schemas/Route"}}}}}}},
        "responses": {"200": {"description": "Changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Routing"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/events": {
      "get": {
        "summary": "Routing events as server-sent events",
        "description": "text/event-stream: `id:`, `event:` (provider_state, provider_added, provider_removed, ejection_suppressed, pool_unavailable, pool_available, routing_changed, config_reloaded, config_rejected) and `data:` (one JSON object with id, type, at and the event's fields). A `: ping` comment after 15 s of silence. Send Last-Event-ID to resume after a reconnect. Scope: read.",
        "parameters": [{"name": "Last-Event-ID", "in": "header", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}}
      }
    },
    "/healthz": {"get": {"summary": "Liveness", "security": [], "responses": {"200": {"description": "Alive"}}}},
    "/readyz": {"get": {"summary": "Readiness: the store takes writes and the node is not shutting down", "security": [],
                        "responses": {"200": {"description": "Ready"}, "503": {"$ref": "#/components/responses/Error"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics (text format 0.0.4)", "security": [],
                         "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    "/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI 3.1"}}}},
    "/docs": {"get": {"summary": "This document, browsable", "security": [], "responses": {"200": {"description": "HTML"}}}},
    "/": {"get": {"summary": "Landing page", "security": [], "responses": {"200": {"description": "HTML"}}}}
  }
})json";
}

}  // namespace postern::http
