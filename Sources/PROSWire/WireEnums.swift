import JSON
import PROSRules

/// A closed set of JSON string values, matched from input bytes without building a String.
protocol JSONEnum: RawRepresentable, CaseIterable where RawValue == String {
    static var byteNames: [(bytes: [UInt8], value: Self)] { get }
}

extension JSONEnum {
    static func table() -> [(bytes: [UInt8], value: Self)] { allCases.map { (Array($0.rawValue.utf8), $0) } }
    static func named(_ bytes: UnsafeBufferPointer<UInt8>) -> Self? {
        for entry in byteNames where entry.bytes.count == bytes.count {
            if entry.bytes.withUnsafeBufferPointer({ sameBytes($0, bytes) }) { return entry.value }
        }
        return nil
    }
}

extension Component: JSONEnum { static let byteNames = table() }
extension ServiceFormat: JSONEnum { static let byteNames = table() }
extension Location: JSONEnum { static let byteNames = table() }
extension Telehealth: JSONEnum { static let byteNames = table() }
extension MemberStatus: JSONEnum { static let byteNames = table() }
