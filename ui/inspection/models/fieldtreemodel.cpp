#include "fieldtreemodel.h"

#include "fielddocs.h"

#include <QColor>
#include <QFont>
#include <QFontDatabase>

namespace hyperscope {

FieldTreeModel::FieldTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

namespace {

/// The message name of a dissected tree: "Open" from a frame's Header › Type ("0 (Open)"),
/// "Handshake" for a handshake message; empty otherwise.
QString messageNameOfTree(const DissectedField &root)
{
    if (root.name.rfind("Handshake message", 0) == 0)
        return QStringLiteral("Handshake");
    if (root.name != "Frame")
        return {};
    for (const DissectedField &child : root.children) {
        if (child.name == "Keepalive")
            return {};
        if (child.name != "Header")
            continue;
        for (const DissectedField &part : child.children) {
            if (part.name != "Type")
                continue;
            const QString value = QString::fromStdString(part.value);
            const qsizetype open = value.indexOf(QLatin1Char('('));
            const qsizetype close = value.lastIndexOf(QLatin1Char(')'));
            if (open < 0 || close <= open)
                return {};
            const QString name = value.mid(open + 1, close - open - 1);
            return fielddocs::message(name) ? name : QString();
        }
    }
    return {};
}

} // namespace

void FieldTreeModel::setAnnotator(Annotator annotator)
{
    m_annotator = std::move(annotator);
}

void FieldTreeModel::setTree(DissectedField root)
{
    if (m_annotator)
        m_annotator(root);
    beginResetModel();
    m_links.clear();
    m_root = std::make_unique<DissectedField>(std::move(root));
    link(m_root.get(), nullptr, 0);
    m_messageName = messageNameOfTree(*m_root);
    endResetModel();
}

void FieldTreeModel::clear()
{
    beginResetModel();
    m_links.clear();
    m_root.reset();
    m_messageName.clear();
    endResetModel();
}

QString FieldTreeModel::messageNameOf(const DissectedField *node) const
{
    // The fields of Data's proof nodes (index, hash, size under each "nodes" entry) are Node's.
    const auto it = m_links.constFind(node);
    if (!m_messageName.isEmpty() && it != m_links.constEnd() && it->parent &&
        it->parent->name == "nodes")
        return QStringLiteral("Node");
    return m_messageName;
}

void FieldTreeModel::link(const DissectedField *node, const DissectedField *parent, int row)
{
    m_links.insert(node, {parent, row});
    for (std::size_t i = 0; i < node->children.size(); ++i)
        link(&node->children[i], node, int(i));
}

const DissectedField *FieldTreeModel::field(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<const DissectedField *>(index.internalPointer()) : nullptr;
}

QModelIndex FieldTreeModel::indexOf(const DissectedField *node, int column) const
{
    if (!node)
        return {};
    const auto it = m_links.constFind(node);
    if (it == m_links.constEnd())
        return {};
    return createIndex(it->row, column, const_cast<DissectedField *>(node));
}

QModelIndex FieldTreeModel::indexForByte(qsizetype offset) const
{
    const DissectedField *node = m_root.get();
    if (!node || offset < 0 || std::size_t(offset) < node->offset ||
        std::size_t(offset) >= node->offset + node->length)
        return {};
    for (;;) {
        const DissectedField *deeper = nullptr;
        for (const DissectedField &child : node->children) {
            if (child.length > 0 && std::size_t(offset) >= child.offset &&
                std::size_t(offset) < child.offset + child.length) {
                deeper = &child;
                break;
            }
        }
        if (!deeper)
            return indexOf(node);
        node = deeper;
    }
}

QModelIndex FieldTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || !m_root)
        return {};
    if (!parent.isValid())
        return row == 0 ? createIndex(0, column, m_root.get()) : QModelIndex();
    const DissectedField *node = field(parent);
    if (row >= int(node->children.size()))
        return {};
    return createIndex(row, column, const_cast<DissectedField *>(&node->children[row]));
}

QModelIndex FieldTreeModel::parent(const QModelIndex &child) const
{
    const DissectedField *node = field(child);
    if (!node)
        return {};
    const auto it = m_links.constFind(node);
    if (it == m_links.constEnd() || !it->parent)
        return {};
    return indexOf(it->parent);
}

int FieldTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!m_root)
        return 0;
    if (!parent.isValid())
        return 1;
    if (parent.column() != 0)
        return 0;
    return int(field(parent)->children.size());
}

int FieldTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant FieldTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const DissectedField *node = field(index);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case FieldColumn:
            return QString::fromStdString(node->name);
        case ValueColumn:
            return QString::fromStdString(node->value);
        case BytesColumn:
            if (node->length == 0)
                return QString();
            return node->length == 1 ? QStringLiteral("%1").arg(node->offset)
                                     : QStringLiteral("%1–%2 (%3)")
                                           .arg(node->offset)
                                           .arg(node->offset + node->length - 1)
                                           .arg(node->length);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == FieldColumn) {
            const QString message = messageNameOf(node);
            QString tip = fielddocs::fieldSummary(message, QString::fromStdString(node->name));
            if (!message.isEmpty()) {
                if (!tip.isEmpty())
                    tip += QLatin1Char('\n');
                tip += tr("F1 for help on %1").arg(message);
            }
            return tip.isEmpty() ? QVariant() : QVariant(tip);
        }
        if (index.column() == ValueColumn && !node->value.empty())
            return QString::fromStdString(node->value);
        if (index.column() == BytesColumn)
            return tr("Bytes %1 to %2 of the frame")
                .arg(node->offset)
                .arg(node->offset + node->length);
        return {};
    case Qt::FontRole:
        if (index.column() == ValueColumn) {
            QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
            return font;
        }
        if (node->name == "Malformed") {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (node->name == "Malformed")
            return QColor(183, 28, 28);
        // The feed layer's verdict on a Data: red when it failed, green when verified, amber
        // when it could not be checked.
        if (node->name == "feed verification" && index.column() == ValueColumn) {
            if (node->value.rfind("FAILED", 0) == 0)
                return QColor(183, 28, 28);
            return node->value.rfind("verified", 0) == 0 ? QColor(27, 94, 32) : QColor(176, 96, 0);
        }
        if (index.column() == BytesColumn)
            return QColor(128, 128, 128);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == BytesColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case OffsetRole:
        return qulonglong(node->offset);
    case LengthRole:
        return qulonglong(node->length);
    case HelpPageRole:
        return messageNameOf(node).isEmpty() ? QString() : fielddocs::pageName(messageNameOf(node));
    }
    return {};
}

QVariant FieldTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case FieldColumn:
        return tr("Field");
    case ValueColumn:
        return tr("Value");
    case BytesColumn:
        return tr("Bytes");
    }
    return {};
}

} // namespace hyperscope
