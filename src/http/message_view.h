// How a stored message looks in the API: JSON of its summary and timeline.
#pragma once

#include <boost/json/object.hpp>

#include "store/store.h"

namespace postern::http {

boost::json::object message_summary_json(const store::MessageSummary& m);
boost::json::object message_detail_json(const store::MessageDetail& d);

}  // namespace postern::http
