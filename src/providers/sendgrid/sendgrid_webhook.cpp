#include "providers/sendgrid/sendgrid_webhook.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include "core/base64.h"
#include "providers/common/webhook_support.h"

namespace postern::providers::sendgrid {

namespace json = boost::json;
using common::text_member;

struct SendGridWebhookKey::Impl {
  EVP_PKEY* key = nullptr;
  ~Impl() { EVP_PKEY_free(key); }
};

SendGridWebhookKey::SendGridWebhookKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SendGridWebhookKey::~SendGridWebhookKey() = default;

Result<std::shared_ptr<const SendGridWebhookKey>, Problem> SendGridWebhookKey::parse(
    std::string_view base64_der) {
  using Out = Result<std::shared_ptr<const SendGridWebhookKey>, Problem>;
  auto der = base64_decode(base64_der);
  if (!der || der->empty())
    return Out(boost::system::in_place_error, Problem{"expected base64 of a DER public key"});
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  auto impl = std::make_unique<Impl>();
  impl->key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size()));
  ERR_clear_error();
  if (!impl->key || p != reinterpret_cast<const unsigned char*>(der->data()) + der->size())
    return Out(boost::system::in_place_error,
               Problem{"not a DER SubjectPublicKeyInfo (copy the key SendGrid shows)"});
  char group[64] = {};
  std::size_t group_len = 0;
  if (EVP_PKEY_get_base_id(impl->key) != EVP_PKEY_EC ||
      EVP_PKEY_get_group_name(impl->key, group, sizeof group, &group_len) != 1 ||
      std::string_view(group, group_len) != SN_X9_62_prime256v1)
    return Out(boost::system::in_place_error, Problem{"expected an EC key on P-256"});
  return std::shared_ptr<const SendGridWebhookKey>(new SendGridWebhookKey(std::move(impl)));
}

bool SendGridWebhookKey::verify(std::string_view data, std::string_view der_signature) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, impl_->key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(der_signature.data()),
                             der_signature.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();  // a failed check leaves its reason queued
  return ok;
}

namespace {

std::optional<events::RecipientEventType> event_type(const json::object& e) {
  using T = events::RecipientEventType;
  auto event = text_member(e, "event");
  if (event == "delivered") return T::delivered;
  if (event == "deferred") return T::deferred;
  if (event == "spamreport") return T::complained;
  // A drop is final: SendGrid will not try that address.
  if (event == "dropped") return T::bounced;
  // type "blocked" is a temporary block by the receiving server.
  if (event == "bounce") return text_member(e, "type") == "blocked" ? T::soft_bounced : T::bounced;
  return std::nullopt;
}

std::string detail_of(const json::object& e) {
  std::string out;
  for (auto key : {"status", "reason", "response"}) {
    auto text = text_member(e, key);
    if (!text.empty()) out += (out.empty() ? "" : " ") + std::string(text);
  }
  return common::event_detail(out);
}

}  // namespace

WebhookResult parse_sendgrid_webhook(const SendGridWebhookKey& key, const WebhookRequest& request) {
  auto timestamp = request.header("X-Twilio-Email-Event-Webhook-Timestamp");
  auto signature_text = request.header("X-Twilio-Email-Event-Webhook-Signature");
  if (timestamp.empty() || signature_text.empty())
    return common::webhook_refusal("missing_signature",
                                   "X-Twilio-Email-Event-Webhook-Signature and -Timestamp are "
                                   "required (enable the signed Event Webhook)");
  auto signature = base64_decode(signature_text);
  std::string signed_bytes = std::string(timestamp) + std::string(request.body);
  if (!signature || !key.verify(signed_bytes, *signature))
    return common::webhook_refusal("bad_signature",
                                   "the signature does not match the webhook public key");

  auto body = common::parse_json(request.body);
  if (!body || !body->is_array()) return common::malformed_webhook("the body is not a JSON array");
  WebhookReport report;
  for (const auto& item : body->as_array()) {
    const auto* e = item.if_object();
    auto type = e ? event_type(*e) : std::nullopt;
    auto event_id = e ? text_member(*e, "sg_event_id") : std::string_view();
    if (!type || event_id.empty()) {
      ++report.ignored;
      continue;
    }
    events::ProviderEvent out;
    out.dedupe_key = std::string(event_id);
    out.type = *type;
    out.recipient = std::string(text_member(*e, "email"));
    // sg_message_id is the send call's X-Message-Id, a '.' and a suffix.
    auto message_id = text_member(*e, "sg_message_id");
    out.provider_message_id = std::string(message_id.substr(0, message_id.find('.')));
    // custom_args come back as top-level keys.
    out.postern_id = std::string(text_member(*e, "postern_id"));
    out.at = common::unix_time_member(*e, "timestamp").value_or(request.now);
    out.detail = detail_of(*e);
    report.events.push_back(std::move(out));
  }
  return report;
}

}  // namespace postern::providers::sendgrid
