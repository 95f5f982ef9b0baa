#include "auth/key_use_flusher.h"

#include <spdlog/spdlog.h>

namespace postern::auth {

KeyUseFlusher::KeyUseFlusher(Authenticator& authenticator, store::Store& store,
                             std::chrono::milliseconds interval)
    : authenticator_(authenticator),
      store_(store),
      task_("key-uses", interval, [this] { flush(); }) {}

KeyUseFlusher::~KeyUseFlusher() { stop(); }

void KeyUseFlusher::stop() {
  task_.stop();
  flush();
}

void KeyUseFlusher::flush() {
  auto uses = authenticator_.take_key_uses();
  if (uses.empty()) return;
  // A lost batch only makes "last used" a little older: worth a log line,
  // not a retry.
  store_.record_api_key_use(std::move(uses), [](Result<void> r) {
    if (!r) spdlog::warn("auth: cannot record when keys were last used: {}", r.error().message());
  });
}

}  // namespace postern::auth
