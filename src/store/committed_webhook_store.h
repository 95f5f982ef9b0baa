// Webhooks out (webhook_store.h) on either backend: writes are operations
// of the backend's webhook writer, queued on the Store's group committer,
// so a change and the event that tells of it commit together; reads are
// calls of its webhook reader. The backends differ in their writer and
// reader only (store/sqlite/webhook_*, store/postgres/webhook_*).
#pragma once

#include <functional>

#include "store/committed_part.h"
#include "store/webhook_store.h"

namespace postern::store {

template <class Writer, class Reads>
class CommittedWebhookStore final : public WebhookStore, private CommittedPart<Writer, Reads> {
  using Part = CommittedPart<Writer, Reads>;

 public:
  using Part::Part;

  void create_endpoint(WebhookEndpoint endpoint, Completion<void> done) override {
    this->template write<void>(
        [e = std::move(endpoint)](Writer& w) { return w.create_endpoint(e); }, std::move(done));
  }
  void delete_endpoint(std::string id, Completion<void> done) override {
    this->template write<void>([id = std::move(id)](Writer& w) { return w.delete_endpoint(id); },
                               std::move(done));
  }
  void disable_endpoint(std::string id, SystemTime at, std::string reason,
                        Completion<void> done) override {
    this->template write<void>([id = std::move(id), at, reason = std::move(reason)](
                                   Writer& w) { return w.disable_endpoint(id, at, reason); },
                               std::move(done));
  }
  void enable_endpoint(std::string id, SystemTime now, Completion<void> done) override {
    this->template write<void>(
        [id = std::move(id), now](Writer& w) { return w.enable_endpoint(id, now); },
        std::move(done));
  }
  void fan_out(std::string endpoint_id, SystemTime now, std::size_t limit,
               Completion<std::size_t> done) override {
    this->template write<std::size_t>(
        [id = std::move(endpoint_id), now, limit](Writer& w) { return w.fan_out(id, now, limit); },
        std::move(done));
  }
  void record_delivery_attempt(WebhookAttempt attempt, Completion<void> done) override {
    this->template write<void>(
        [a = std::move(attempt)](Writer& w) { return w.record_delivery_attempt(a); },
        std::move(done));
  }
  void lease_deliveries(std::string endpoint_id, std::string owner, SystemTime now,
                        std::chrono::seconds lease, std::size_t limit,
                        Completion<std::vector<WebhookDelivery>> done) override {
    this->template write<std::vector<WebhookDelivery>>(
        [id = std::move(endpoint_id), o = std::move(owner), now, lease, limit](Writer& w) {
          return w.lease(id, o, now, lease, limit);
        },
        std::move(done));
  }
  void redeliver(std::int64_t delivery_id, SystemTime now, Completion<void> done) override {
    this->template write<void>(
        [delivery_id, now](Writer& w) { return w.redeliver(delivery_id, now); }, std::move(done));
  }
  void purge_webhook_log(SystemTime before, std::size_t limit,
                         Completion<std::size_t> done) override {
    this->template write<std::size_t>([before, limit](Writer& w) { return w.purge(before, limit); },
                                      std::move(done));
  }
  void on_change(std::function<void()> listener) override { listener_ = std::move(listener); }

  Result<std::vector<WebhookEndpoint>> list_endpoints() override {
    return this->read([](auto& r) { return r.list_endpoints(); });
  }
  Result<std::optional<WebhookEndpoint>> endpoint(std::string_view id) override {
    return this->read([id](auto& r) { return r.endpoint(id); });
  }
  Result<std::vector<WebhookDelivery>> due_deliveries(std::string_view endpoint_id, SystemTime now,
                                                      std::size_t limit) override {
    return this->read([=](auto& r) { return r.due_deliveries(endpoint_id, now, limit); });
  }
  Result<std::optional<SystemTime>> next_due(std::string_view endpoint_id) override {
    return this->read([endpoint_id](auto& r) { return r.next_due(endpoint_id); });
  }
  Result<std::vector<WebhookDelivery>> deliveries(std::string_view endpoint_id,
                                                  std::int64_t before_id,
                                                  std::size_t limit) override {
    return this->read([=](auto& r) { return r.deliveries(endpoint_id, before_id, limit); });
  }
  Result<std::optional<WebhookDelivery>> delivery(std::int64_t id) override {
    return this->read([id](auto& r) { return r.delivery(id); });
  }

  // A batch that recorded webhook events or made deliveries due is durable
  // (the committer's durable notice, on its thread). On PostgreSQL, this
  // node's batches only: a sender elsewhere finds another node's at its
  // next look.
  void changed() {
    if (listener_) listener_();
  }

 private:
  std::function<void()> listener_;  // set before use, then only read
};

}  // namespace postern::store
