#pragma once
// Writing `illctl ledger`'s report: a table for people, CSV (RFC 4180, one header row, one
// figure per record) and JSON for programs. Amounts are written exactly ("7.5000").

#include <ostream>

#include "app/illctl/ledger_report.hpp"
#include "app/illctl/report_period.hpp"

namespace illhub::app {

void write_ledger_table(std::ostream& out, const LedgerReport& report, const ReportPeriod& period);

/// Header: scope,library,counterparty,measure,currency,value. scope is "library" or "pair";
/// item measures have an empty currency and an integer value.
void write_ledger_csv(std::ostream& out, const LedgerReport& report);

void write_ledger_json(std::ostream& out, const LedgerReport& report, const ReportPeriod& period);

}  // namespace illhub::app
