// POST /v1/messages: validate, store durably (group commit), answer 202 —
// the hot path of the gateway, so it allocates little and copies less.
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "core/ascii.h"
#include "core/header_value.h"
#include "core/sha256.h"
#include "delivery/attempt_decision.h"
#include "delivery/intake.h"
#include "http/handlers.h"
#include "http/query.h"
#include "http/responses.h"
#include "http/sync_send.h"
#include "mime/mime.h"

namespace postern::http {
namespace {

constexpr std::size_t kMaxIdempotencyKey = 255;

// Recipients of a raw message come from its To, Cc and Bcc headers.
Envelope raw_envelope(const mime::RawSummary& summary) {
  Message headers_only;
  headers_only.from = summary.from;
  headers_only.to = summary.to;
  headers_only.cc = summary.cc;
  headers_only.bcc = summary.bcc;
  return envelope_of(headers_only);
}

// Fills `out` from a JSON body, or answers the error.
std::optional<net::HttpResponse> from_json(ApiServices& s, std::string& body,
                                           store::NewMessage& out) {
  auto parsed = message_from_json(body, s.limits);
  if (!parsed) {
    const auto& e = parsed.error();
    int status = e.code == "invalid_json" ? 400 : e.code == "message_too_large" ? 413 : 422;
    return field_error_response(status, e);
  }
  out.format = ContentFormat::json;
  out.envelope = envelope_of(*parsed);
  out.subject = std::move(parsed->subject);
  out.tags = std::move(parsed->tags);
  out.content = std::move(body);
  return std::nullopt;
}

std::optional<net::HttpResponse> from_raw(ApiServices& s, std::string& body,
                                          const QueryParams& query, store::NewMessage& out) {
  if (body.size() > s.limits.max_message_bytes) {
    return error_response(
        413, "message_too_large",
        "the message is larger than " + std::to_string(s.limits.max_message_bytes) + " bytes");
  }
  auto summary = mime::summarize(body);
  if (!summary) return field_error_response(422, summary.error());
  out.envelope = raw_envelope(*summary);
  if (out.envelope.recipients.empty()) {
    return error_response(422, "missing_field", "the message has no recipient in To, Cc or Bcc",
                          "To");
  }
  if (out.envelope.recipients.size() > s.limits.max_recipients) {
    return error_response(
        422, "too_many_recipients",
        "at most " + std::to_string(s.limits.max_recipients) + " recipients are allowed", "To");
  }
  for (const auto& [k, v] : query.all()) {
    if (k == "tag") out.tags.push_back(v);
  }
  out.format = ContentFormat::mime;
  out.subject = std::move(summary->subject);
  // The body becomes the content, in its own buffer: a big message is not
  // copied. Nothing reads the body after this.
  mime::strip_bcc_and_prepend(body, "");
  out.content = std::move(body);
  return std::nullopt;
}

std::optional<net::HttpResponse> check_idempotency_key(std::string_view key) {
  if (key.size() > kMaxIdempotencyKey ||
      std::any_of(key.begin(), key.end(), [](char c) { return c < 0x21 || c > 0x7e; })) {
    return error_response(400, "invalid_value",
                          "Idempotency-Key must be 1 to 255 printable ASCII characters",
                          "Idempotency-Key");
  }
  return std::nullopt;
}

// 507 for mail caught for a test account (a bound key's, or a test
// account's HTTP login) that its quota cannot take: names the account and
// its quota, so the developer knows what to empty or raise.
net::HttpResponse over_quota(store::InboxStore* inbox, std::int64_t account_id,
                             std::size_t message_bytes) {
  std::string why = "the test account is over its quota";
  if (auto a = inbox ? inbox->account(account_id) : Result<store::InboxAccount>(Errc::not_found)) {
    why = "test account '" + a->user + "' is over its quota of " + std::to_string(a->quota_bytes) +
          " bytes (" + std::to_string(a->used_bytes) + " used, this message " +
          std::to_string(message_bytes) + ")";
  }
  return error_response(507, "quota_exceeded",
                        why + "; nothing was accepted, and the mail it holds is kept");
}

// Written by hand, as the hot path's answer: the id and the recipients
// left out because they are on the suppression list.
std::string accepted_body(const MessageId& id, const std::vector<std::string>& suppressed) {
  std::string body = R"({"id":")" + id.to_string() + R"(","status":"queued","suppressed":[)";
  for (std::size_t i = 0; i < suppressed.size(); ++i) {
    if (i > 0) body += ',';
    body += boost::json::serialize(boost::json::string_view(suppressed[i]));
  }
  return body + "]}";
}

// The outcome of a message whose every recipient is on the suppression
// list, as the store records it.
delivery::Outcome all_suppressed() {
  std::string why(delivery::kSuppressedClass);
  return {MessageStatus::failed, "", "", why, why, "every recipient is on the suppression list"};
}

}  // namespace

void send_message(ApiServices& s, Call& call, net::Responder respond) {
  auto& req = call.request;
  auto query = QueryParams::parse(req.query);
  if (!query) return respond(error_response(400, "invalid_query", "the query string is malformed"));
  auto wait = requested_wait(req, *query, s.options.max_wait);
  if (!wait)
    return respond(
        error_response(400, "invalid_value", "wait must be a number of seconds", "wait"));

  auto type = media_type(req.header("Content-Type"));
  auto idempotency_key = req.header("Idempotency-Key");
  if (auto bad = check_idempotency_key(idempotency_key)) return respond(std::move(*bad));
  store::NewMessage m;
  if (!idempotency_key.empty()) {
    // Keys are per caller: two clients may pick the same key.
    m.idempotency_key = call.principal.name + "\n" + std::string(idempotency_key);
    m.request_hash = sha256(type + "\n" + req.body);
  }
  std::optional<net::HttpResponse> refused;
  if (type.empty() || type == "application/json") {
    refused = from_json(s, req.body, m);
  } else if (type == "message/rfc822") {
    refused = from_raw(s, req.body, *query, m);
  } else {
    refused = error_response(415, "unsupported_media_type",
                             "send application/json or message/rfc822, not '" + type + "'",
                             "Content-Type");
  }
  if (refused) return respond(std::move(*refused));
  if (call.principal.kind != auth::Principal::Kind::loopback) m.submitted_by = call.principal.name;
  m.source = "http";
  m.catch_account = call.principal.catch_account;

  auto* waiters = s.waiters;
  auto* store = &s.store;
  auto* inbox = s.inbox;
  auto wait_for = *wait;
  auto catch_account = m.catch_account;
  auto bytes = m.content.size();
  auto recipients = m.envelope.recipients.size();
  s.intake.submit(std::move(m), [respond, waiters, store, inbox, wait_for, catch_account, bytes,
                                 recipients](Result<delivery::Accepted> r) {
    if (!r) {
      if (r.error() == Errc::conflict) {
        return respond(error_response(409, "idempotency_conflict",
                                      "this Idempotency-Key was used with a different request",
                                      "Idempotency-Key"));
      }
      if (r.error() == delivery::quota_exceeded())
        return respond(over_quota(inbox, catch_account, bytes));
      return respond(store_error_response(r.error()));
    }
    if (waiters && wait_for.count() > 0) {
      // Nobody to send to: the message fails at its first lease, without
      // the dispatcher (the store ends it), so no waiter would hear of it.
      // The outcome is known now.
      if (!r->stored.replayed && r->suppressed.size() == recipients)
        return respond(outcome_response(r->stored.id, false, all_suppressed()));
      return wait_for_outcome(*waiters, *store, r->stored, wait_for, respond);
    }
    const auto& stored = r->stored;
    net::HttpResponse ok;
    ok.status = 202;
    ok.body = accepted_body(stored.id, r->suppressed);
    ok.headers.emplace_back("Location", "/v1/messages/" + stored.id.to_string());
    if (stored.replayed) ok.headers.emplace_back("Idempotent-Replayed", "true");
    respond(std::move(ok));
  });
}

}  // namespace postern::http
