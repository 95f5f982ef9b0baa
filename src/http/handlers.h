// The handlers behind each route. Each answers through the Responder,
// at once or later (after a durable commit).
#pragma once

#include "http/api.h"

namespace postern::http {

using Handler = void (*)(ApiServices&, Call&, net::Responder);

// messages_api.cpp (send_message in send_api.cpp)
void send_message(ApiServices&, Call&, net::Responder);
void get_message(ApiServices&, Call&, net::Responder);
void list_messages(ApiServices&, Call&, net::Responder);
void get_raw_message(ApiServices&, Call&, net::Responder);
void get_message_content(ApiServices&, Call&, net::Responder);
void get_message_html(ApiServices&, Call&, net::Responder);
void get_message_attachment(ApiServices&, Call&, net::Responder);
void cancel_message(ApiServices&, Call&, net::Responder);
void retry_message(ApiServices&, Call&, net::Responder);
// keys_api.cpp
void list_keys(ApiServices&, Call&, net::Responder);
void create_key(ApiServices&, Call&, net::Responder);
void delete_key(ApiServices&, Call&, net::Responder);
void rotate_key(ApiServices&, Call&, net::Responder);
// providers_api.cpp
void list_providers(ApiServices&, Call&, net::Responder);
void get_provider(ApiServices&, Call&, net::Responder);
void create_provider(ApiServices&, Call&, net::Responder);
void update_provider(ApiServices&, Call&, net::Responder);
void patch_provider(ApiServices&, Call&, net::Responder);
void delete_provider(ApiServices&, Call&, net::Responder);
void drain_provider(ApiServices&, Call&, net::Responder);
void pause_provider(ApiServices&, Call&, net::Responder);
void resume_provider(ApiServices&, Call&, net::Responder);
void provider_heartbeat(ApiServices&, Call&, net::Responder);
// routing_api.cpp
void get_routing(ApiServices&, Call&, net::Responder);
void put_routing(ApiServices&, Call&, net::Responder);
// events_api.cpp
void stream_events(ApiServices&, Call&, net::Responder);
// stats_api.cpp
void get_stats(ApiServices&, Call&, net::Responder);
// suppressions_api.cpp
void list_suppressions(ApiServices&, Call&, net::Responder);
void export_suppressions(ApiServices&, Call&, net::Responder);
void add_suppressions(ApiServices&, Call&, net::Responder);
void get_suppression(ApiServices&, Call&, net::Responder);
void delete_suppression(ApiServices&, Call&, net::Responder);
// provider_events_api.cpp
void list_unmatched_events(ApiServices&, Call&, net::Responder);
// test_accounts_api.cpp
void create_test_account(ApiServices&, Call&, net::Responder);
void list_test_accounts(ApiServices&, Call&, net::Responder);
void get_test_account(ApiServices&, Call&, net::Responder);
void delete_test_account(ApiServices&, Call&, net::Responder);
void ethereal_create_user(ApiServices&, Call&, net::Responder);
// inbox_messages_api.cpp
void list_test_account_messages(ApiServices&, Call&, net::Responder);
// inbox_reading_api.cpp
void get_test_account_message(ApiServices&, Call&, net::Responder);
void get_test_account_message_raw(ApiServices&, Call&, net::Responder);
void get_test_account_attachment(ApiServices&, Call&, net::Responder);
void get_test_account_message_html(ApiServices&, Call&, net::Responder);
// inbox_changes_api.cpp
void mark_test_account_message_seen(ApiServices&, Call&, net::Responder);
void mark_test_account_message_unseen(ApiServices&, Call&, net::Responder);
void delete_test_account_message(ApiServices&, Call&, net::Responder);
void delete_test_account_messages(ApiServices&, Call&, net::Responder);
// message_page_api.cpp
void message_page(ApiServices&, Call&, net::Responder);
// webhooks_api.cpp
void receive_webhook(ApiServices&, Call&, net::Responder);
// webhook_endpoints_api.cpp
void create_webhook_endpoint(ApiServices&, Call&, net::Responder);
void list_webhook_endpoints(ApiServices&, Call&, net::Responder);
void get_webhook_endpoint(ApiServices&, Call&, net::Responder);
void delete_webhook_endpoint(ApiServices&, Call&, net::Responder);
void disable_webhook_endpoint(ApiServices&, Call&, net::Responder);
void enable_webhook_endpoint(ApiServices&, Call&, net::Responder);
void list_webhook_deliveries(ApiServices&, Call&, net::Responder);
void redeliver_webhook_delivery(ApiServices&, Call&, net::Responder);
// ops_api.cpp
void healthz(ApiServices&, Call&, net::Responder);
void readyz(ApiServices&, Call&, net::Responder);
void metrics(ApiServices&, Call&, net::Responder);
void openapi_json(ApiServices&, Call&, net::Responder);
// ops_api.cpp too: / and /docs, the web UI's pages (http/ui_files.h)
void ui_page(ApiServices&, Call&, net::Responder);

}  // namespace postern::http
