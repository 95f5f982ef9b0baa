#include "providers/capture/capture_provider.h"

#include "providers/provider_context.h"

namespace postern::providers::capture {
namespace {

std::string why_refused(const InboxFiling& f) {
  if (f.error == Errc::storage_full) return "test account '" + f.account + "' is over its quota";
  if (f.error == Errc::not_found) return "test account '" + f.account + "' no longer exists";
  return "test account '" + f.account + "': " + f.error.message();
}

}  // namespace

SendResult capture_result(const std::string& message_id,
                          const Result<std::vector<InboxFiling>>& filed) {
  SendResult r;
  r.provider_message_id = message_id;
  if (!filed) {
    r.failure_class =
        filed.error() == Errc::corrupt ? FailureClass::permanent : FailureClass::transient;
    r.code =
        filed.error() == Errc::corrupt ? std::string(kCorruptMessageCode) : "inbox_unavailable";
    r.detail = "the test inbox cannot store the message: " + filed.error().message();
    return r;
  }
  std::string taken, refused;
  bool quota = false;
  for (const auto& f : *filed) {
    auto& list = f.error ? refused : taken;
    if (!list.empty()) list += "; ";
    list += f.error ? why_refused(f) : f.account;
    quota = quota || f.error == Errc::storage_full;
  }
  if (filed->empty() || !taken.empty()) {
    r.failure_class = FailureClass::ok;
    r.code = "captured";
    r.detail = filed->empty() ? "no test inbox is meant for it" : "caught into " + taken;
    if (!refused.empty()) r.detail += " (not into: " + refused + ")";
    return r;
  }
  r.failure_class = FailureClass::permanent;
  r.code = quota ? "552 5.2.2" : "550 5.1.1";
  r.detail = refused;
  return r;
}

void CaptureProvider::send(std::shared_ptr<const OutboundMessage> message,
                           std::function<void(SendResult)> done) {
  if (!inbox_) {
    SendResult r;
    r.failure_class = FailureClass::ok;
    r.code = "captured";
    r.provider_message_id = message->id_string();
    return done(std::move(r));
  }
  auto id = message->id_string();
  inbox_->file(std::move(message),
               [id = std::move(id), done = std::move(done)](
                   Result<std::vector<InboxFiling>> filed) { done(capture_result(id, filed)); });
}

void CaptureProvider::probe(std::function<void(ProbeResult)> done) {
  done(ProbeResult{true, FailureClass::ok, "", {}});
}

Result<std::unique_ptr<Provider>, ConfigError> CaptureFactory::create(
    const ProviderConfig& config, ProviderContext& context) const {
  for (const auto& [key, _] : config.settings) {
    return ConfigError{config.key_path + "." + key, "unknown key for a capture provider"};
  }
  return std::unique_ptr<Provider>(std::make_unique<CaptureProvider>(config.name, context.inbox));
}

}  // namespace postern::providers::capture
