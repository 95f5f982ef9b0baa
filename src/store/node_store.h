// Everything a node keeps, from one backend: the Store (messages, content,
// keys) and the stores that share its database and its writer: the test
// inbox, provider events and suppressions, run-time routing changes, and
// webhooks out. The server, the CLI and the tests hold a NodeStore, so
// that the backend is chosen in one place (store.backend).
#pragma once

#include "store/event_store.h"
#include "store/inbox_store.h"
#include "store/routing_store.h"
#include "store/store.h"
#include "store/webhook_store.h"

namespace postern::store {

class NodeStore : public Store {
 public:
  // Each lives as long as this object and is written through its writer,
  // so closing the NodeStore stops them too.
  virtual InboxStore& inbox() = 0;
  virtual EventStore& events() = 0;
  virtual RoutingStore& routing() = 0;
  virtual WebhookStore& webhooks() = 0;
  // Whether a write could commit now, for /readyz: false while the
  // database cannot be reached, so that a load balancer sends clients to
  // other nodes. Never blocks: a backend that lost its database tries it
  // again in the background and answers what it last found.
  virtual bool writable() = 0;
};

}  // namespace postern::store
