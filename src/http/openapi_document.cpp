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
          "subject": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}, "size": {"type": "integer"},
          "format": {"enum": ["json", "mime"]}, "provider": {"type": ["string", "null"]},
          "provider_message_id": {"type": ["string", "null"]}, "last_error": {"type": ["string", "null"]}
        }
      },
      "MessageDetail": {
        "allOf": [{"$ref": "#/components/schemas/MessageSummary"},
                  {"type": "object", "properties": {"events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}]
      },
      "Key": {"type": "object", "properties": {"name": {"type": "string"}, "scopes": {"type": "array", "items": {"enum": ["send", "read", "admin"]}},
                                                 "created_at": {"type": "string", "format": "date-time"}}}
    },
    "responses": {
      "Error": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "parameters": {
      "id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "Message id (13 characters)"}
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
        "summary": "Cancel a queued or deferred message",
        "description": "Scope: send.",
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "responses": {"200": {"description": "Cancelled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
                      "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/messages/{id}/retry": {
      "post": {
        "summary": "Send a failed, deferred or cancelled message again, now",
        "description": "Starts a new retry window. Scope: send.",
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
          "name": {"type": "string"}, "scopes": {"type": "array", "items": {"enum": ["send", "read", "admin"]}, "default": ["send"]}}}}}},
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
