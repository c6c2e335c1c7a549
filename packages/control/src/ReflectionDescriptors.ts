/**
 * Descriptors for the reflection service that standard tools accept. proto-loader builds its file descriptors
 * through protobufjs, which names the implicit entry message of a map field after the field (`Statuses` for
 * `map<string, X> statuses`) where protoc, and every reflection client that validates descriptors (grpcurl, Go's
 * protodesc), require `<FieldInCamelCase>Entry` (`StatusesEntry`). grpcurl then refuses the whole file, so
 * `grpc.health.v1.Health/Check` could not be called. The descriptors are rewritten once, at startup, with the
 * names protoc would give.
 */
import type { PackageDefinition } from '@grpc/proto-loader';
import descriptor from 'protobufjs/ext/descriptor/index.js';

interface FieldProto {
  name?: string;
  typeName?: string;
}
interface MessageProto {
  name?: string;
  field?: FieldProto[];
  nestedType?: MessageProto[];
  options?: { mapEntry?: boolean } | null;
}
interface FileProto {
  messageType?: MessageProto[];
}

/** protoc's name for the entry message of a map field: `status_by_node` -> `StatusByNodeEntry`. */
export function mapEntryName(fieldName: string): string {
  const camel = fieldName.replace(/_+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`;
}

function fixMessage(message: MessageProto): boolean {
  let changed = false;
  for (const nested of message.nestedType ?? []) changed = fixMessage(nested) || changed;
  for (const entry of message.nestedType ?? []) {
    if (entry.options?.mapEntry !== true || entry.name === undefined) continue;
    const oldName = entry.name;
    const field = (message.field ?? []).find(
      (f) => f.typeName !== undefined && (f.typeName === oldName || f.typeName.endsWith(`.${oldName}`)),
    );
    if (field?.name === undefined || field.typeName === undefined) continue;
    const newName = mapEntryName(field.name);
    if (newName === oldName) continue;
    entry.name = newName;
    field.typeName = `${field.typeName.slice(0, field.typeName.length - oldName.length)}${newName}`;
    changed = true;
  }
  return changed;
}

/** One file descriptor (serialized FileDescriptorProto) with protoc's map entry names. */
export function fixFileDescriptor(bytes: Uint8Array): Uint8Array {
  const file = descriptor.FileDescriptorProto.decode(bytes) as unknown as FileProto;
  let changed = false;
  for (const message of file.messageType ?? []) changed = fixMessage(message) || changed;
  return changed ? descriptor.FileDescriptorProto.encode(file as never).finish() : bytes;
}

/** The package definitions merged, every type's file descriptors rewritten (each distinct file once). */
export function reflectionDefinition(...definitions: PackageDefinition[]): PackageDefinition {
  const fixed = new Map<string, Buffer>();
  const fix = (bytes: Buffer): Buffer => {
    const key = bytes.toString('base64');
    let out = fixed.get(key);
    if (out === undefined) {
      out = Buffer.from(fixFileDescriptor(bytes));
      fixed.set(key, out);
    }
    return out;
  };
  const merged: PackageDefinition = {};
  for (const definition of definitions) {
    for (const [name, value] of Object.entries(definition)) {
      const protos = (value as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos;
      merged[name] = Array.isArray(protos) ? ({ ...value, fileDescriptorProtos: protos.map(fix) } as typeof value) : value;
    }
  }
  return merged;
}
