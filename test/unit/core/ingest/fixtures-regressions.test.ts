// Importer bugs the population fixtures found, each pinned by the smallest input that showed it.
import { describe, expect, it } from 'vitest';
import { fixCp1252 } from '../../../../core/ingest/readers/decode.js';
import { detectFormat } from '../../../../core/ingest/formats.js';

describe('fixture regressions', () => {
  it('Windows-1252 bytes 0x80-0x9F decode as Windows writes them (O’Brien, €), not as C1 controls', () => {
    const bytes = Uint8Array.of(0x4f, 0x92, 0x42, 0x20, 0x80, 0x35, 0x20, 0x96, 0x20, 0xe9);
    // Node 20's decoder gives U+0092 / U+0080 / U+0096 here.
    expect(fixCp1252(new TextDecoder('windows-1252').decode(bytes))).toBe('O’B €5 – é');
    expect(fixCp1252('plain ASCII and é')).toBe('plain ASCII and é');
  });

  it('an Entra device ID column does not make Defender or Autopatch exports read as Intune', () => {
    const defender = 'Device name,Domain,OS platform,Onboarding status,Azure AD device ID,AvSignatureRing'.split(',');
    expect(detectFormat(defender)?.format).toBe('defender');
    const autopatch = 'Device name,Deployment ring,Update status,Microsoft Entra device ID,Serial number'.split(',');
    expect(detectFormat(autopatch)?.format).toBe('autopatch');
    // Intune's own header still reads as Intune.
    expect(detectFormat('Device ID,Device name,Azure AD Device ID,Primary user UPN'.split(','))?.format).toBe('intune');
  });
});
