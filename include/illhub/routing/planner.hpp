#pragma once
// The rota planner: for a request addressed to the consortium, which lenders to ask and in
// which order (ranking.hpp has the rules). It reads holdings, the lending policy in force and
// each candidate's recent lending and borrowing from the database, then ranks them with the
// pure rank_candidates(). Blocking; reads only.

#include "illhub/routing/ranking.hpp"
#include "illhub/routing/rota.hpp"
#include "illhub/store/pg_connection.hpp"
#include "illhub/store/store_error.hpp"
#include "illhub/util/result.hpp"

namespace illhub::routing {

class CatalogueService;  // catalogue_service.hpp

/// The rota for `request`: libraries holding the item (by ISBN, ISSN, OCLC number or local
/// number; only when none of those match, by title key and author key), kept or left out by
/// the lending policy in force, ordered by tier, load and charge, each with its reason.
/// policy_version names the policy used (0 when none was ever loaded: everybody gets the
/// built-in defaults). An empty rota means nobody can supply. Errors: database errors only.
/// With `live`, the libraries whose policy names a catalogue (and that imported holdings did
/// not match) are asked too, all at once, each bounded by the service's timeout; those whose
/// catalogue holds the item join the candidates. A catalogue that cannot be reached adds
/// nobody: it says nothing about the shelf.
Result<Rota, store::StoreError> plan_rota(store::PgConnection& conn, const RotaRequest& request,
                                          CatalogueService* live = nullptr);

/// The same, with the holders left off and why (for `illctl rota`).
Result<RankedRota, store::StoreError> explain_rota(store::PgConnection& conn, const RotaRequest& request,
                                                   CatalogueService* live = nullptr);

}  // namespace illhub::routing
