// The listening side of one simulated service. "down" really closes the
// socket (clients get ECONNREFUSED) and "up" binds the same port again, so
// each service has a listener of its own.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"

namespace postern::sim {

class ServiceListener {
 public:
  virtual ~ServiceListener() = default;

  // Binds and starts accepting: the configured address the first time, the
  // port it got ever after. Errors: Problem naming the address. Call from
  // the control thread (or before the I/O threads run), never from an I/O
  // thread.
  virtual Result<std::uint16_t, Problem> open() = 0;
  // Closes the listening socket and every connection; requests held by the
  // hang fault are answered first (503, connection closed). Blocks until
  // the connections are gone (a few seconds at most). Same threads as
  // open(). Idempotent.
  virtual void close() = 0;
  // Answers the requests held by the hang fault (once it is cleared).
  virtual void release_held() = 0;

  virtual bool is_open() const = 0;
  virtual std::uint16_t port() const = 0;  // 0 before the first open()
  virtual std::string host() const = 0;
};

}  // namespace postern::sim
