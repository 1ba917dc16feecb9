// The OpenAPI 3.0 schemas of the events clients post, generated from the codec's field specs
// (event_spec.h), so that the document served at GET /openapi.json describes exactly what
// DecodeEvent accepts: for every postable event type <T>, "<T>Data" (its data) and "<T>Event"
// (the whole event), and "NewEvent", one of them by "type".
//
// Thread-safe: no state.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "events_generated.h"

namespace ledger::api {

// The schema of `type`'s data. REQUIRES: IsPostable(type).
boost::json::object EventDataSchema(events::Data type);

// The schema of a whole event of `type`, its data by reference to "<T>Data".
// REQUIRES: IsPostable(type).
boost::json::object EventSchema(events::Data type);

// "<T>Data" and "<T>Event" of every postable type, and "NewEvent".
boost::json::object EventSchemas();

// `written` (an OpenAPI document without the event schemas, api/openapi.json) with
// EventSchemas() added to components.schemas, serialized. REQUIRES: `written` is such a document
// (a programmer error otherwise: it is embedded at build time).
std::string WithEventSchemas(std::string_view written);

}  // namespace ledger::api
