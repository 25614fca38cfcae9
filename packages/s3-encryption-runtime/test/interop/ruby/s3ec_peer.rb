# frozen_string_literal: true

# The AWS-written peer for test/interop/ruby-peer.test.ts: the Ruby SDK's Aws::S3::EncryptionV2::Client
# (Debian's ruby-aws-sdk-s3), talking to the same radosgw as the TypeScript side.
#
#   ruby s3ec_peer.rb PLAN.json   ->  JSON results on stdout
#
# Only KMS is stubbed, with the SDK's own stub_responses: Decrypt accepts exactly the ciphertext blobs the
# plan lists (made by the TypeScript side's fake KMS) with their encryption context and key id, and
# GenerateDataKey hands out data keys the fake KMS wrapped for the expected context, checking that the
# client asked for that key and context. Everything else (S3 requests, metadata and instruction files,
# the ranged GET of the tag, AES-GCM, RSA-OAEP, the envelope checks) is the real Ruby SDK code.
require 'json'
require 'base64'
require 'digest'
require 'openssl'
require 'aws-sdk-s3'
require 'aws-sdk-kms'

plan = JSON.parse(File.read(ARGV.fetch(0)))

def b64(text)
  Base64.strict_decode64(text)
end

s3 = Aws::S3::Client.new(
  endpoint: plan['s3']['endpoint'],
  region: plan['s3']['region'],
  access_key_id: plan['s3']['access_key_id'],
  secret_access_key: plan['s3']['secret_access_key'],
  force_path_style: true,
  ssl_ca_bundle: plan['s3']['ca_cert']
)

kms_requests = []
kms = Aws::KMS::Client.new(stub_responses: true, region: plan['s3']['region'])
kms.stub_responses(:decrypt, lambda do |context|
  params = context.params
  context_map = (params[:encryption_context] || {}).transform_keys(&:to_s)
  kms_requests << { 'op' => 'Decrypt', 'encryption_context' => context_map }.merge(params[:key_id] ? { 'key_id' => params[:key_id] } : {})
  entry = plan['kms']['decrypt'].find { |e| b64(e['ciphertext']) == params[:ciphertext_blob] }
  next 'InvalidCiphertextException' if entry.nil? || entry['encryption_context'] != context_map
  next 'IncorrectKeyException' if params[:key_id] && params[:key_id] != entry['key_id']

  { key_id: entry['key_id'], plaintext: b64(entry['plaintext']) }
end)
generate = plan['kms']['generate'].dup
kms.stub_responses(:generate_data_key, lambda do |context|
  params = context.params
  context_map = (params[:encryption_context] || {}).transform_keys(&:to_s)
  kms_requests << { 'op' => 'GenerateDataKey', 'key_id' => params[:key_id], 'encryption_context' => context_map }
  entry = generate.find { |e| e['encryption_context'] == context_map && e['key_id'] == params[:key_id] && params[:key_spec] == 'AES_256' }
  next 'ValidationException' if entry.nil?

  generate.delete(entry)
  { key_id: entry['key_id'], plaintext: b64(entry['plaintext']), ciphertext_blob: b64(entry['ciphertext']) }
end)

keys = plan['keys']
# kms_key 'any' = :kms_allow_decrypt_with_any_cmk (Decrypt without KeyId), see the test for why
def encryption_client(s3, kms, keys, wrap, location, kms_key = 'configured')
  common = {
    client: s3,
    content_encryption_schema: :aes_gcm_no_padding,
    security_profile: :v2,
    envelope_location: location.to_sym
  }
  case wrap
  when 'aes' then Aws::S3::EncryptionV2::Client.new(**common, encryption_key: b64(keys['aes']), key_wrap_schema: :aes_gcm)
  when 'rsa'
    Aws::S3::EncryptionV2::Client.new(**common, encryption_key: OpenSSL::PKey::RSA.new(keys['rsa_private_pem']), key_wrap_schema: :rsa_oaep_sha1)
  when 'kms'
    key_id = kms_key == 'any' ? :kms_allow_decrypt_with_any_cmk : keys['kms_key_id']
    Aws::S3::EncryptionV2::Client.new(**common, kms_key_id: key_id, kms_client: kms, key_wrap_schema: :kms_context)
  else raise ArgumentError, "unknown wrap #{wrap}"
  end
end

results = plan['operations'].map do |op|
  client = encryption_client(s3, kms, keys, op['wrap'], op['location'], op['kms_key'] || 'configured')
  kms_context = op['kms_encryption_context'] ? { kms_encryption_context: op['kms_encryption_context'] } : {}
  begin
    case op['op']
    when 'put'
      File.open(op['file'], 'rb') do |file|
        client.put_object(bucket: plan['bucket'], key: op['key'], body: file, **kms_context)
      end
      { 'key' => op['key'], 'ok' => true }
    when 'get'
      response = client.get_object(bucket: plan['bucket'], key: op['key'], **kms_context)
      body = response.body.read
      { 'key' => op['key'], 'ok' => true, 'size' => body.bytesize, 'sha256' => Digest::SHA256.hexdigest(body) }
    else
      raise ArgumentError, "unknown op #{op['op']}"
    end
  rescue StandardError => e
    { 'key' => op['key'], 'ok' => false, 'error' => e.class.name, 'message' => e.message[0, 300] }
  end
end

puts JSON.generate(
  'peer' => {
    'ruby' => RUBY_VERSION,
    'aws_sdk_s3' => Aws::S3::GEM_VERSION,
    'aws_sdk_kms' => Aws::KMS::GEM_VERSION,
    'aws_sdk_core' => Aws::CORE_GEM_VERSION,
    'encryption_v2' => defined?(Aws::S3::EncryptionV2::Client) ? true : false,
    'encryption_v3' => defined?(Aws::S3::EncryptionV3::Client) ? true : false
  },
  'kms_requests' => kms_requests,
  'results' => results
)
