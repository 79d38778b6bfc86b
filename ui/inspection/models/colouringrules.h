// ColouringRules: Wireshark's colouring rules for the message log (View › Colouring Rules…).
//
// An ordered list of rules, each a name, a filter expression (core/filter/filter.h) and a
// background colour, enabled or not. A row takes the colour of the first enabled rule it matches;
// rows no rule matches keep the log's own tint (MessageLogModel's BackgroundRole). The colour of a
// row is computed when the row is first painted and cached per row (one byte a row), so a
// million-row log pays only for the rows on screen; changing the rules or clearing the log drops
// the cache. A rule whose expression does not compile is kept (the dialog shows it red) but
// colours nothing.
#pragma once

#include "filter.h"

#include <QColor>
#include <QList>
#include <QObject>
#include <QString>
#include <QVariant>

#include <vector>

namespace hyperscope {

class MessageLogModel;

struct ColouringRule
{
    QString name;       ///< "Errors"
    QString expression; ///< "error"
    QColor background;
    bool enabled = true;
    bool operator==(const ColouringRule &) const = default;
};

class ColouringRules : public QObject
{
    Q_OBJECT
public:
    /// More rules than anyone keeps; the per-row cache stores a rule's position in a byte.
    static constexpr int MaxRules = 250;

    /// Rules for @p log (not owned), which must outlive this object. Starts with defaults().
    explicit ColouringRules(const MessageLogModel *log, QObject *parent = nullptr);

    /// Errors, capabilities that failed, warnings, keepalives (in that order: the first match
    /// wins, and a failed capability is also a warning or an error).
    static QList<ColouringRule> defaults();

    QList<ColouringRule> rules() const { return m_rules; }
    /// Replaces the rules (beyond MaxRules dropped) and emits rulesChanged().
    void setRules(const QList<ColouringRule> &rules);

    /// The background of source row @p row of the log: the first enabled, valid rule it matches;
    /// an invalid colour when none does.
    QColor colourFor(int row) const;
    /// The index in rules() of the rule that colours @p row, or -1.
    int ruleFor(int row) const;

    /// Why @p expression does not compile ("column 3: ..."), or empty when it does.
    static QString errorOf(const QString &expression);

    /// The rules as QSettings keeps them (a list of maps: name, filter, colour, enabled) and
    /// back; entries without a filter are skipped.
    static QVariantList toVariant(const QList<ColouringRule> &rules);
    static QList<ColouringRule> fromVariant(const QVariantList &list);

signals:
    void rulesChanged();

private:
    void dropCache();

    const MessageLogModel *m_log;
    QList<ColouringRule> m_rules;
    /// Per enabled, valid rule: its index in m_rules and its compiled filter.
    std::vector<std::pair<int, filter::Filter>> m_compiled;
    /// Per source row: 0 not computed yet, 1 no rule, 2 + i rule i.
    mutable std::vector<quint8> m_cache;
};

} // namespace hyperscope
