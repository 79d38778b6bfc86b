#include "colouringrules.h"

#include "messagelogfilter.h"
#include "messagelogmodel.h"

#include <QVariantMap>

namespace hyperscope {

namespace {
constexpr quint8 NotComputed = 0;
constexpr quint8 NoRule = 1;
constexpr quint8 FirstRule = 2;
} // namespace

ColouringRules::ColouringRules(const MessageLogModel *log, QObject *parent)
    : QObject(parent)
    , m_log(log)
{
    // Row numbers change meaning when the log is cleared.
    connect(m_log, &QAbstractItemModel::modelReset, this, &ColouringRules::dropCache);
    // A verdict a rule may read (`verified`, `warning` on a failed Data) changed for rows already
    // coloured (a feed key became known late).
    connect(m_log, &MessageLogModel::feedVerdictsChanged, this, &ColouringRules::dropCache);
    setRules(defaults());
}

QList<ColouringRule> ColouringRules::defaults()
{
    return {
        {tr("Capability failed"),
         QStringLiteral("warning contains \"capability\" || error contains \"capability\""),
         QColor(255, 183, 77), true},
        {tr("Errors"), QStringLiteral("error"), QColor(255, 160, 160), true},
        {tr("Warnings"), QStringLiteral("warning"), QColor(255, 236, 153), true},
        {tr("Keepalives"), QStringLiteral("type == Keepalive"), QColor(232, 232, 232), true},
    };
}

void ColouringRules::setRules(const QList<ColouringRule> &rules)
{
    m_rules = rules.mid(0, MaxRules);
    m_compiled.clear();
    for (int i = 0; i < m_rules.size(); ++i) {
        const ColouringRule &rule = m_rules.at(i);
        if (!rule.enabled || !rule.background.isValid())
            continue;
        const QByteArray utf8 = rule.expression.toUtf8();
        filter::FilterError error;
        std::optional<filter::Filter> compiled = filter::Filter::compile(
            std::string_view(utf8.constData(), std::size_t(utf8.size())), error);
        // An empty expression would colour every row: a rule must say what it matches.
        if (compiled && !compiled->isEmpty())
            m_compiled.emplace_back(i, std::move(*compiled));
    }
    dropCache();
    emit rulesChanged();
}

void ColouringRules::dropCache()
{
    m_cache.clear();
    m_cache.shrink_to_fit();
}

int ColouringRules::ruleFor(int row) const
{
    if (row < 0 || row >= m_log->rowCount() || m_compiled.empty())
        return -1;
    if (std::size_t(row) >= m_cache.size())
        m_cache.resize(std::size_t(m_log->rowCount()), NotComputed);
    quint8 &cached = m_cache[std::size_t(row)];
    if (cached == NotComputed) {
        cached = NoRule;
        for (const auto &[index, compiled] : m_compiled) {
            if (MessageLogFilterModel::rowMatches(compiled, *m_log, row)) {
                cached = quint8(FirstRule + index);
                break;
            }
        }
    }
    return cached == NoRule ? -1 : cached - FirstRule;
}

QColor ColouringRules::colourFor(int row) const
{
    const int rule = ruleFor(row);
    return rule < 0 ? QColor() : m_rules.at(rule).background;
}

QString ColouringRules::errorOf(const QString &expression)
{
    const QByteArray utf8 = expression.toUtf8();
    filter::FilterError error;
    if (filter::Filter::compile(std::string_view(utf8.constData(), std::size_t(utf8.size())),
                                error))
        return {};
    return tr("column %1: %2").arg(error.column).arg(QString::fromStdString(error.message));
}

QVariantList ColouringRules::toVariant(const QList<ColouringRule> &rules)
{
    QVariantList list;
    for (const ColouringRule &rule : rules) {
        list.append(QVariantMap{{QStringLiteral("name"), rule.name},
                                {QStringLiteral("filter"), rule.expression},
                                {QStringLiteral("colour"), rule.background.name()},
                                {QStringLiteral("enabled"), rule.enabled}});
    }
    return list;
}

QList<ColouringRule> ColouringRules::fromVariant(const QVariantList &list)
{
    QList<ColouringRule> rules;
    for (const QVariant &entry : list) {
        const QVariantMap map = entry.toMap();
        ColouringRule rule;
        rule.name = map.value(QStringLiteral("name")).toString();
        rule.expression = map.value(QStringLiteral("filter")).toString();
        rule.background = QColor::fromString(map.value(QStringLiteral("colour")).toString());
        rule.enabled = map.value(QStringLiteral("enabled"), true).toBool();
        if (rule.expression.trimmed().isEmpty())
            continue;
        if (!rule.background.isValid())
            rule.background = QColor(Qt::white);
        rules.append(rule);
        if (rules.size() == MaxRules)
            break;
    }
    return rules;
}

} // namespace hyperscope
