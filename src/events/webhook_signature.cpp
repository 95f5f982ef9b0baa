#include "events/webhook_signature.h"

#include <sodium.h>

#include <array>
#include <string>

#include "core/base64.h"

namespace postern::events {

std::optional<std::string> webhook_signature(std::string_view secret, std::string_view id,
                                             std::int64_t timestamp, std::string_view body) {
  if (!secret.starts_with(kWebhookSecretPrefix)) return std::nullopt;
  auto key = base64_decode(secret.substr(kWebhookSecretPrefix.size()));
  if (!key || key->empty()) return std::nullopt;
  // libsodium's HMAC-SHA256 takes a key of any length, as the spec's
  // secrets (24 to 64 bytes) need.
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key->data()),
                              key->size());
  auto update = [&state](std::string_view part) {
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                                  part.size());
  };
  auto stamp = std::to_string(timestamp);
  update(id);
  update(".");
  update(stamp);
  update(".");
  update(body);
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return "v1," +
         base64_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string webhook_id(std::int64_t event_id) { return "evt_" + std::to_string(event_id); }

std::optional<std::vector<std::pair<std::string, std::string>>> webhook_headers(
    std::string_view secret, std::int64_t event_id, std::int64_t timestamp, std::string_view body) {
  auto id = webhook_id(event_id);
  auto signature = webhook_signature(secret, id, timestamp, body);
  if (!signature) return std::nullopt;
  return std::vector<std::pair<std::string, std::string>>{
      {"webhook-id", id},
      {"webhook-timestamp", std::to_string(timestamp)},
      {"webhook-signature", std::move(*signature)}};
}

std::string make_webhook_secret() {
  std::array<unsigned char, 24> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return std::string(kWebhookSecretPrefix) +
         base64_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string make_webhook_endpoint_id() {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id = "ep_";
  for (int i = 0; i < 20; ++i)
    id += kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
  return id;
}

}  // namespace postern::events
