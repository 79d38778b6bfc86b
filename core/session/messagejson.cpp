#include "messagejson.h"

#include <QJsonArray>

#include <cmath>

namespace hyperscope {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Reflection;

QJsonObject objectFromProto(const google::protobuf::Message &message);

// One value of @p field; @p index selects the element of a repeated field.
QJsonValue scalarToJson(const google::protobuf::Message &message, const FieldDescriptor *field,
                        int index)
{
    const Reflection *r = message.GetReflection();
    const bool repeated = field->is_repeated();
    switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_UINT64:
        return double(repeated ? r->GetRepeatedUInt64(message, field, index)
                               : r->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_BOOL:
        return repeated ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field);
    case FieldDescriptor::CPPTYPE_STRING: {
        const std::string value =
            repeated ? r->GetRepeatedString(message, field, index) : r->GetString(message, field);
        if (field->type() == FieldDescriptor::TYPE_BYTES)
            return QString::fromStdString(toHex(asView(value)));
        return QString::fromStdString(value);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
        const auto &nested =
            repeated ? r->GetRepeatedMessage(message, field, index) : r->GetMessage(message, field);
        return objectFromProto(nested);
    }
    default:
        return QJsonValue(); // types the schema does not use
    }
}

QJsonObject objectFromProto(const google::protobuf::Message &message)
{
    const google::protobuf::Descriptor *descriptor = message.GetDescriptor();
    const Reflection *r = message.GetReflection();
    QJsonObject object;
    for (int i = 0; i < descriptor->field_count(); ++i) {
        const FieldDescriptor *field = descriptor->field(i);
        const QString name = QString::fromStdString(field->name());
        if (field->is_repeated()) {
            QJsonArray array;
            for (int j = 0; j < r->FieldSize(message, field); ++j)
                array.append(scalarToJson(message, field, j));
            object.insert(name, array);
        } else if (r->HasField(message, field)) {
            object.insert(name, scalarToJson(message, field, -1));
        }
    }
    return object;
}

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    default:
        return QStringLiteral("nothing");
    }
}

bool fillFromJson(google::protobuf::Message &message, const QString &scope, const QJsonObject &json,
                  QString &error);

// Sets one value of @p field (appending if repeated). @p label names it in errors.
bool setValue(google::protobuf::Message &message, const FieldDescriptor *field,
              const QJsonValue &value, const QString &scope, const QString &label, QString &error)
{
    const Reflection *r = message.GetReflection();
    const bool repeated = field->is_repeated();
    auto wrongType = [&](const QString &expected) {
        error = QStringLiteral("%1 field '%2' must be %3, got %4")
                    .arg(scope, label, expected, jsonTypeName(value));
        return false;
    };
    switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_UINT64: {
        const QString expected = QStringLiteral("a non-negative integer");
        if (!value.isDouble())
            return wrongType(expected);
        const double number = value.toDouble();
        // 2^64 is exactly representable; every double below it that is integral fits in uint64.
        if (!(number >= 0) || number >= 18446744073709551616.0 || std::floor(number) != number) {
            error = QStringLiteral("%1 field '%2' must be %3, got %4")
                        .arg(scope, label, expected, QString::number(number, 'g', 17));
            return false;
        }
        // Integers Qt parsed exactly are stored as qint64: take those without the trip via
        // double (which rounds above 2^53). toInteger() gives -1 for doubles beyond qint64.
        const qint64 exact = value.toInteger(-1);
        const std::uint64_t integer = exact >= 0 ? std::uint64_t(exact) : std::uint64_t(number);
        repeated ? r->AddUInt64(&message, field, integer) : r->SetUInt64(&message, field, integer);
        return true;
    }
    case FieldDescriptor::CPPTYPE_BOOL:
        if (!value.isBool())
            return wrongType(QStringLiteral("a boolean"));
        repeated ? r->AddBool(&message, field, value.toBool())
                 : r->SetBool(&message, field, value.toBool());
        return true;
    case FieldDescriptor::CPPTYPE_STRING: {
        const bool isBytes = field->type() == FieldDescriptor::TYPE_BYTES;
        if (!value.isString())
            return wrongType(isBytes ? QStringLiteral("a hex string") : QStringLiteral("a string"));
        std::string data;
        if (isBytes) {
            const std::optional<Bytes> bytes = fromHex(value.toString().toStdString());
            if (!bytes) {
                error = QStringLiteral("%1 field '%2' is not valid hex").arg(scope, label);
                return false;
            }
            data.assign(bytes->begin(), bytes->end());
        } else {
            data = value.toString().toStdString();
        }
        repeated ? r->AddString(&message, field, std::move(data))
                 : r->SetString(&message, field, std::move(data));
        return true;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
        if (!value.isObject())
            return wrongType(QStringLiteral("an object"));
        google::protobuf::Message *nested =
            repeated ? r->AddMessage(&message, field) : r->MutableMessage(&message, field);
        return fillFromJson(*nested, scope + QLatin1Char('.') + label, value.toObject(), error);
    }
    default:
        error = QStringLiteral("%1 field '%2' has a type JSON cannot express").arg(scope, label);
        return false;
    }
}

bool fillFromJson(google::protobuf::Message &message, const QString &scope, const QJsonObject &json,
                  QString &error)
{
    const google::protobuf::Descriptor *descriptor = message.GetDescriptor();
    for (auto it = json.begin(); it != json.end(); ++it) {
        const QString name = it.key();
        const FieldDescriptor *field = descriptor->FindFieldByName(name.toStdString());
        if (!field) {
            error = QStringLiteral("%1 has no field '%2'").arg(scope, name);
            return false;
        }
        if (!field->is_repeated()) {
            if (!setValue(message, field, it.value(), scope, name, error))
                return false;
            continue;
        }
        if (!it.value().isArray()) {
            error = QStringLiteral("%1 field '%2' must be an array, got %3")
                        .arg(scope, name, jsonTypeName(it.value()));
            return false;
        }
        const QJsonArray array = it.value().toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString label = QStringLiteral("%1[%2]").arg(name).arg(i);
            if (!setValue(message, field, array.at(i), scope, label, error))
                return false;
        }
    }
    return true;
}

} // namespace

QJsonObject messageToJson(const Message &message)
{
    return objectFromProto(asProtobuf(message));
}

std::optional<Message> messageFromJson(MessageType type, const QJsonObject &json, QString &error)
{
    const QString name = QString::fromUtf8(messageTypeName(static_cast<std::uint8_t>(type)));
    std::optional<Message> message = makeMessage(type);
    if (!message) {
        error = name + QStringLiteral(" is not a protobuf message");
        return std::nullopt;
    }
    google::protobuf::Message &proto = asProtobuf(*message);
    if (!fillFromJson(proto, name, json, error))
        return std::nullopt;
    if (!proto.IsInitialized()) {
        std::vector<std::string> missing;
        proto.FindInitializationErrors(&missing);
        error = name + (missing.size() == 1 ? QStringLiteral(": missing required field ")
                                            : QStringLiteral(": missing required fields "));
        for (std::size_t i = 0; i < missing.size(); ++i)
            error += (i ? QStringLiteral(", '") : QStringLiteral("'")) +
                     QString::fromStdString(missing[i]) + QLatin1Char('\'');
        return std::nullopt;
    }
    return message;
}

} // namespace hyperscope
