// The feed layer's filter fields (issue 12's "later feed-level facts", issue 13's verdicts and
// block ranges): `verified`, `verdict`, `verifyError` (a Data's verdict, set by whoever keeps the
// channel's feed bookkeeping) and `blocks` (the blocks a message is about, read from its payload).
// A table of expressions against a table of rows, every operator on every new field, the errors
// and suggestions, and `blocks` on huge ranges, which must cost O(ranges), never O(blocks).
#include "bitfieldrle.h"
#include "fieldcatalogue.h"
#include "filter.h"
#include "messages.h"
#include "varint.h"

#include "feedverifier.h"

#include <QElapsedTimer>
#include <QtTest>

#include <map>

using namespace hyperscope;
using namespace hyperscope::filter;

namespace {

constexpr std::uint64_t TwoTo40 = std::uint64_t(1) << 40;

/// A row, the payload its view points into and the verdict setVerdict() points into.
struct FeedRow
{
    Row row;
    Bytes payload;
    std::optional<feed::Verdict> verdict;
};

feed::Verdict verdict(feed::Verdict::Outcome outcome, std::string text)
{
    feed::Verdict v;
    v.outcome = outcome;
    v.text = std::move(text);
    return v;
}

/// A bitfield-rle run of @p bytes bytes of 0xFF: the varint (bytes << 2) | 3, two bytes on the
/// wire for a run far longer than any memory.
Bytes fullRun(std::uint64_t bytes)
{
    Bytes out;
    varint::append(out, (bytes << 2) | 3);
    return out;
}

std::map<std::string, FeedRow> &rows()
{
    static std::map<std::string, FeedRow> table = [] {
        std::map<std::string, FeedRow> t;
        const auto add = [&t](const std::string &name, const Message &message) -> FeedRow & {
            FeedRow &r = t[name];
            appendMessage(r.payload, message);
            r.row.type = static_cast<int>(messageType(message));
            r.row.direction = Direction::Inbound;
            r.row.session = 1;
            return r;
        };
        const auto data = [&add](const std::string &name, std::uint64_t index) -> FeedRow & {
            schema::Data m;
            m.set_index(index);
            m.set_value("block");
            return add(name, Message(m));
        };
        data("data-verified", 5).verdict = verdict(
            feed::Verdict::Outcome::Verified, "signature over the roots of length 8 (40 bytes)");
        data("data-failed", 6).verdict =
            verdict(feed::Verdict::Outcome::Failed,
                    "signature does not match feed key 78dd0a4b… (over the roots of length 8)");
        data("data-unverifiable", 7).verdict =
            verdict(feed::Verdict::Outcome::Unverifiable,
                    "the proof leaves out node 12, which the requester said it holds");
        data("data-nokey", 2); // the channel's feed key is unknown: no verdict
        {
            schema::Request m;
            m.set_index(9);
            add("request", Message(m));
        }
        {
            schema::Cancel m;
            m.set_index(3);
            add("cancel", Message(m));
        }
        {
            // Blocks 8..15 and 24..31.
            schema::Have m;
            m.set_start(0);
            const Bytes bits = feed::bitfieldrle::encode(Bytes{0x00, 0xff, 0x00, 0xff});
            m.set_bitfield(std::string(bits.begin(), bits.end()));
            add("have-bitfield", Message(m));
        }
        {
            // 2^40 blocks from block 2^40, no bitfield: one range.
            schema::Have m;
            m.set_start(TwoTo40);
            m.set_length(TwoTo40);
            add("have-huge", Message(m));
        }
        {
            // A run of 2^40 bytes of 0xFF: blocks 0 .. 2^43 − 1, from a 7-byte bitfield.
            schema::Have m;
            m.set_start(0);
            const Bytes run = fullRun(TwoTo40);
            m.set_bitfield(std::string(run.begin(), run.end()));
            add("have-run", Message(m));
        }
        {
            // A literal of 5 bytes in a 2-byte bitfield: invalid, so no blocks.
            schema::Have m;
            m.set_start(0);
            m.set_bitfield(std::string("\x0a\xff", 2));
            add("have-invalid", Message(m));
        }
        {
            schema::Unhave m; // length defaults to 1
            m.set_start(4);
            add("unhave", Message(m));
        }
        {
            schema::Want m; // no length: block 16384 and every block after it
            m.set_start(16384);
            add("want-open", Message(m));
        }
        {
            schema::Unwant m;
            m.set_start(8192);
            m.set_length(8192);
            add("unwant", Message(m));
        }
        {
            schema::Status m;
            m.set_uploading(true);
            add("status", Message(m));
        }
        {
            FeedRow &r = t["warning"]; // a warning row of another kind, for `warning`
            r.row.session = 1;
        }
        for (auto &[name, r] : t) {
            if (r.row.type >= 0)
                r.row.payload = ByteView(r.payload);
            if (r.verdict)
                setVerdict(r.row, *r.verdict);
        }
        static const std::string note = "unexpected Open on channel 2";
        t["warning"].row.warning = note;
        return t;
    }();
    return table;
}

Filter compiled(const QString &expression)
{
    FilterError error;
    const std::optional<Filter> filter = Filter::compile(expression.toStdString(), error);
    if (!filter)
        qFatal("'%s' did not compile: %s", qPrintable(expression), error.toString().c_str());
    return *filter;
}

QString matchingRows(const Filter &filter)
{
    QStringList names;
    for (const auto &[name, r] : rows()) {
        if (filter.matches(r.row))
            names << QString::fromStdString(name);
    }
    return names.join(QLatin1Char(','));
}

} // namespace

class tst_FilterFeedFields : public QObject
{
    Q_OBJECT
private slots:
    void matchesRows_data();
    void matchesRows();
    void reportsErrors_data();
    void reportsErrors();
    void catalogueHasHelp();
    void blocksCostRangesNotBlocks();
    void tellsWhatItReads();
};

void tst_FilterFeedFields::matchesRows_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("expected"); // names of the matching rows, sorted

    const QString dataWithVerdict = QStringLiteral("data-failed,data-unverifiable,data-verified");
    const QString notVerdict = QStringLiteral(
        "cancel,data-nokey,have-bitfield,have-huge,have-invalid,have-run,request,status,"
        "unhave,unwant,want-open,warning");
    const QString withBlocks = QStringLiteral(
        "cancel,data-failed,data-nokey,data-unverifiable,data-verified,have-bitfield,have-huge,"
        "have-run,request,unhave,unwant,want-open");

    // verified: a boolean present on a Data with a verdict (Wireshark: a bare boolean is presence)
    QTest::newRow("verified bare") << "verified" << dataWithVerdict;
    QTest::newRow("!verified") << "!verified" << notVerdict;
    QTest::newRow("verified == true") << "verified == true"
                                      << "data-verified";
    QTest::newRow("verified == TRUE") << "verified == TRUE"
                                      << "data-verified";
    QTest::newRow("verified == 1") << "verified == 1"
                                   << "data-verified";
    QTest::newRow("verified == false") << "verified == false"
                                       << "data-failed,data-unverifiable";
    QTest::newRow("verified != true") << "verified != true"
                                      << "data-failed,data-unverifiable";
    QTest::newRow("verified != false") << "verified != false"
                                       << "data-verified";
    QTest::newRow("!(verified == true)") << "type == Data && !(verified == true)"
                                         << "data-failed,data-nokey,data-unverifiable";
    QTest::newRow("verified in") << "verified in {true, false}" << dataWithVerdict;
    // verdict: the outcome as a word
    QTest::newRow("verdict == failed") << "verdict == failed"
                                       << "data-failed";
    QTest::newRow("verdict quoted") << "verdict == \"unverifiable\""
                                    << "data-unverifiable";
    QTest::newRow("verdict in") << "verdict in {failed, unverifiable}"
                                << "data-failed,data-unverifiable";
    QTest::newRow("verdict !=") << "verdict != verified"
                                << "data-failed,data-unverifiable";
    QTest::newRow("verdict matches") << "verdict matches \"^ver\""
                                     << "data-verified";
    // verifyError: why not
    QTest::newRow("verifyError bare") << "verifyError"
                                      << "data-failed,data-unverifiable";
    QTest::newRow("verifyError contains") << "verifyError contains \"signature\""
                                          << "data-failed";
    QTest::newRow("verifyError matches") << "verifyError matches \"node \\d+\""
                                         << "data-unverifiable";
    QTest::newRow("verifyError ==") << "verifyError == \"nothing like it\""
                                    << "";
    // A failed Data carries its reason as a warning, as the warning rows and events do.
    QTest::newRow("warning") << "warning"
                             << "data-failed,warning";
    QTest::newRow("warning contains") << "warning contains \"feed key\""
                                      << "data-failed";

    // blocks: any covered block, on ranges
    QTest::newRow("blocks bare") << "blocks" << withBlocks;
    QTest::newRow("!blocks") << "!blocks"
                             << "have-invalid,status,warning";
    QTest::newRow("blocks == 5") << "blocks == 5"
                                 << "data-verified,have-run";
    QTest::newRow("blocks == 9") << "blocks == 9"
                                 << "have-bitfield,have-run,request";
    QTest::newRow("blocks == 16") << "blocks == 16"
                                  << "have-run";
    QTest::newRow("blocks == 2^40") << "blocks == 1099511627776"
                                    << "have-huge,have-run,want-open";
    QTest::newRow("blocks == 2^41 - 1") << "blocks == 0x1ffffffffff"
                                        << "have-huge,have-run,want-open";
    QTest::newRow("blocks == 2^41") << "blocks == 0x20000000000"
                                    << "have-run,want-open";
    QTest::newRow("blocks == 2^64 - 1") << "blocks == 18446744073709551615"
                                        << "want-open";
    QTest::newRow("blocks in {0..9}")
        << "blocks in {0..9}"
        << "cancel,data-failed,data-nokey,data-unverifiable,data-verified,have-bitfield,have-run,"
           "request,unhave";
    QTest::newRow("blocks in gaps") << "blocks in {16..23, 32}"
                                    << "have-run";
    QTest::newRow("blocks in edge") << "blocks in {20..24}"
                                    << "have-bitfield,have-run";
    QTest::newRow("blocks in two") << "blocks in {4, 16383..16384}"
                                   << "have-run,unhave,unwant,want-open";
    QTest::newRow("blocks > 1000") << "blocks > 1000"
                                   << "have-huge,have-run,unwant,want-open";
    QTest::newRow("blocks >= 16384") << "blocks >= 16384"
                                     << "have-huge,have-run,want-open";
    QTest::newRow("blocks > 2^43") << "blocks > 0x80000000000"
                                   << "want-open";
    QTest::newRow("blocks < 3") << "blocks < 3"
                                << "data-nokey,have-run";
    QTest::newRow("blocks <= 3") << "blocks <= 3"
                                 << "cancel,data-nokey,have-run";
    QTest::newRow("blocks < 0") << "blocks < 0"
                                << "";
    QTest::newRow("blocks != 5") // has blocks and none of them is 5
        << "blocks != 5"
        << "cancel,data-failed,data-nokey,data-unverifiable,have-bitfield,have-huge,request,"
           "unhave,unwant,want-open";
    QTest::newRow("!(blocks == 5)")
        << "!(blocks == 5)"
        << "cancel,data-failed,data-nokey,data-unverifiable,have-bitfield,have-huge,"
           "have-invalid,request,status,unhave,unwant,want-open,warning";
    QTest::newRow("blocks with type") << "type == Have && blocks in {16..20}"
                                      << "have-run";
    QTest::newRow("blocks with verdict") << "blocks > 5 && verified == false"
                                         << "data-failed,data-unverifiable";
    QTest::newRow("blocks or") << "blocks == 3 || blocks == 4"
                               << "cancel,have-run,unhave";
}

void tst_FilterFeedFields::matchesRows()
{
    QFETCH(QString, expression);
    QFETCH(QString, expected);
    QCOMPARE(matchingRows(compiled(expression)), expected);
}

void tst_FilterFeedFields::reportsErrors_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("error"); // the whole FilterError::toString()

    QTest::newRow("verifed") << "verifed == true"
                             << "filter: column 1: unknown field 'verifed' (did you mean "
                                "'verified'?)";
    QTest::newRow("Verified") << "type == Data && Verified"
                              << "filter: column 17: unknown field 'Verified' (did you mean "
                                 "'verified'?)";
    QTest::newRow("verifyerror") << "verifyerror contains \"x\""
                                 << "filter: column 1: unknown field 'verifyerror' (did you mean "
                                    "'verifyError'?)";
    QTest::newRow("verfyError") << "verfyError"
                                << "filter: column 1: unknown field 'verfyError' (did you mean "
                                   "'verifyError'?)";
    QTest::newRow("block") << "block > 5"
                           << "filter: column 1: unknown field 'block' (did you mean 'blocks'?)";
    QTest::newRow("blokcs") << "blokcs == 5"
                            << "filter: column 1: unknown field 'blokcs' (did you mean "
                               "'blocks'?)";
    QTest::newRow("verdit") << "verdit == failed"
                            << "filter: column 1: unknown field 'verdit' (did you mean "
                               "'verdict'?)";
    QTest::newRow("verified value") << "verified == yes"
                                    << "filter: column 13: expected true or false after '==', "
                                       "got 'yes'";
    QTest::newRow("verified ordering") << "verified > false"
                                       << "filter: column 10: 'verified' is a boolean: it takes "
                                          "==, != or in, not '>'";
    QTest::newRow("verified contains") << "verified contains \"x\""
                                       << "filter: column 10: 'verified' is a boolean: it takes "
                                          "==, != or in, not 'contains'";
    QTest::newRow("blocks contains") << "blocks contains 5"
                                     << "filter: column 8: 'blocks' is an integer: it takes ==, "
                                        "!=, <, <=, >, >= or in, not 'contains'";
    QTest::newRow("blocks text") << "blocks == five"
                                 << "filter: column 11: expected an integer after '==', got "
                                    "'five'";
    QTest::newRow("blocks empty range") << "blocks in {9..0}"
                                        << "filter: column 12: empty range 9..0: the first bound "
                                           "is larger";
    QTest::newRow("blocks range outside set") << "blocks == 0..9"
                                              << "filter: column 11: a range (0..9) only goes in "
                                                 "a set: in {0..9}";
    QTest::newRow("verifyError ordering") << "verifyError < 3"
                                          << "filter: column 13: 'verifyError' is text: it takes "
                                             "==, !=, contains, matches or in, not '<'";
}

void tst_FilterFeedFields::reportsErrors()
{
    QFETCH(QString, expression);
    QFETCH(QString, error);
    FilterError failure;
    QVERIFY(!Filter::compile(expression.toStdString(), failure));
    QCOMPARE(QString::fromStdString(failure.toString()), error);
}

void tst_FilterFeedFields::catalogueHasHelp()
{
    for (const char *name : {"verified", "verdict", "verifyError", "blocks"}) {
        const FieldInfo *field = findField(name);
        QVERIFY2(field, name);
        QVERIFY2(!field->help.empty(), name);
    }
    QCOMPARE(findField("verified")->kind, ValueKind::Bool);
    QCOMPARE(findField("verdict")->kind, ValueKind::Text);
    QCOMPARE(findField("verifyError")->kind, ValueKind::Text);
    QCOMPARE(findField("blocks")->kind, ValueKind::Integer);
    // The help says what a bare `verified` means and what intercept knows.
    const std::string &help = findField("verified")->help;
    QVERIFY(help.find("bare") != std::string::npos);
    QVERIFY(help.find("intercept") != std::string::npos);
    // Every row field has its line.
    for (const FieldInfo &field : fieldCatalogue()) {
        if (field.source != RowField::Message)
            QVERIFY2(!field.help.empty(), field.name.c_str());
    }
}

void tst_FilterFeedFields::blocksCostRangesNotBlocks()
{
    // have-huge covers 2^40 blocks and have-run 2^43: expanding either would not end. 20,000
    // evaluations of every operator on both must take well under a second.
    const Filter filter = compiled(QStringLiteral(
        "blocks == 3 || blocks in {7..9, 11} || blocks != 0x7ffffffffff || blocks < 2 || "
        "blocks > 0xfffffffffff"));
    const Row &huge = rows().at("have-huge").row;
    const Row &run = rows().at("have-run").row;
    QElapsedTimer clock;
    clock.start();
    int matched = 0;
    for (int i = 0; i < 10000; ++i)
        matched += int(filter.matches(huge)) + int(filter.matches(run));
    QCOMPARE(matched, 20000);
    QVERIFY2(clock.elapsed() < 1000, qPrintable(QStringLiteral("%1 ms").arg(clock.elapsed())));
}

void tst_FilterFeedFields::tellsWhatItReads()
{
    // blocks is read from the payload: callers must fill it.
    QVERIFY(compiled(QStringLiteral("blocks > 5")).usesMessageFields());
    QVERIFY(!compiled(QStringLiteral("blocks > 5")).usesFeedVerdict());
    for (const char *expression : {"verified", "verdict == failed", "!verifyError"}) {
        const Filter filter = compiled(QString::fromLatin1(expression));
        QVERIFY2(filter.usesFeedVerdict(), expression);
        QVERIFY2(!filter.usesMessageFields(), expression);
    }
    QVERIFY(!compiled(QStringLiteral("type == Data && index > 3")).usesFeedVerdict());
    QVERIFY(compiled(QStringLiteral("warning")).usesFeedVerdict()); // a failed Data's reason

    // setVerdict() on a row that has one already replaces every part of it.
    Row row;
    const feed::Verdict failed = verdict(feed::Verdict::Outcome::Failed, "leaf 6 does not match");
    const feed::Verdict verified = verdict(feed::Verdict::Outcome::Verified, "node 5");
    setVerdict(row, failed);
    QCOMPARE(row.verified, std::optional<bool>(false));
    QCOMPARE(std::string(*row.verifyError), std::string("leaf 6 does not match"));
    setVerdict(row, verified);
    QCOMPARE(row.verified, std::optional<bool>(true));
    QCOMPARE(std::string(*row.verdict), std::string("verified"));
    QVERIFY(!row.verifyError);
}

QTEST_APPLESS_MAIN(tst_FilterFeedFields)
#include "tst_filterfeedfields.moc"
