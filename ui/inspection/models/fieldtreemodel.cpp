#include "fieldtreemodel.h"

#include <QColor>
#include <QFont>
#include <QFontDatabase>

namespace hyperscope {

FieldTreeModel::FieldTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

void FieldTreeModel::setTree(DissectedField root)
{
    beginResetModel();
    m_links.clear();
    m_root = std::make_unique<DissectedField>(std::move(root));
    link(m_root.get(), nullptr, 0);
    endResetModel();
}

void FieldTreeModel::clear()
{
    beginResetModel();
    m_links.clear();
    m_root.reset();
    endResetModel();
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
