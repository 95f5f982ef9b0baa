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
void cancel_message(ApiServices&, Call&, net::Responder);
void retry_message(ApiServices&, Call&, net::Responder);
// keys_api.cpp
void list_keys(ApiServices&, Call&, net::Responder);
void create_key(ApiServices&, Call&, net::Responder);
void delete_key(ApiServices&, Call&, net::Responder);
// ops_api.cpp
void healthz(ApiServices&, Call&, net::Responder);
void readyz(ApiServices&, Call&, net::Responder);
void metrics(ApiServices&, Call&, net::Responder);
void openapi_json(ApiServices&, Call&, net::Responder);
void docs_page(ApiServices&, Call&, net::Responder);
void index_page(ApiServices&, Call&, net::Responder);

}  // namespace postern::http
