// Writes when each API key was last used (`postern keys list`, GET /v1/keys)
// without a write per request: the authenticator notes uses in memory, and
// this flushes them through the store's writer at most every `interval`
// (and once more at stop), so a busy key costs one row update per interval.
#pragma once

#include <chrono>

#include "auth/authenticator.h"
#include "core/periodic_task.h"
#include "store/store.h"

namespace postern::auth {

class KeyUseFlusher {
 public:
  static constexpr std::chrono::seconds kDefaultInterval{10};

  KeyUseFlusher(Authenticator& authenticator, store::Store& store,
                std::chrono::milliseconds interval = kDefaultInterval);
  ~KeyUseFlusher();
  void start() { task_.start(); }
  // Stops the rounds and flushes what is noted. Idempotent.
  void stop();
  // Hands the uses noted so far to the store's writer.
  void flush();

 private:
  Authenticator& authenticator_;
  store::Store& store_;
  PeriodicTask task_;
};

}  // namespace postern::auth
