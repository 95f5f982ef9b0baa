// What a provider may use, handed to its factory by the composition root.
#pragma once

#include "core/clock.h"
#include "core/metrics.h"

namespace postern::net {
class IoRuntime;
class HttpClient;
}  // namespace postern::net

namespace postern::providers {

class InboxSink;
namespace common {
class RequestBudget;
}

struct ProviderContext {
  net::IoRuntime& io;
  net::HttpClient& http;  // pooled HTTPS client shared by the HTTP API providers
  const Clock& clock;
  MetricsRegistry& metrics;
  // The test inbox the capture provider files into; null where there is
  // none (tools, tests): capture then only acknowledges.
  InboxSink* inbox = nullptr;
  // Where the providers that build their request bodies whole (JSON with
  // the message base64-encoded) charge them (limits.inflight_bytes);
  // null where nothing is charged (tools, tests).
  common::RequestBudget* requests = nullptr;
};

}  // namespace postern::providers
