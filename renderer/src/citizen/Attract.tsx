import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import { withinDailyHours } from '../../../src/api/citizen.js';
import type { KioskSnapshot } from '../../../src/api/contract.js';
import { Msg } from '../components/Msg.js';
import { useNow } from '../components/hooks.js';
import { useT } from '../i18n/index.js';
import { useKiosk } from '../store.js';
import { ScanIcon } from './ScanIcon.js';

/**
 * The attract screen of an idle pad: the hall's 扫码评价 QR code and service information, drifting
 * slowly (burn-in care), dimmed outside service hours. Any touch brings the idle screen back; an
 * evaluation replaces it at once (CitizenScreen shows the rating screen whatever the idle state).
 */
export function Attract({ snapshot }: { snapshot: KioskSnapshot }) {
  const { t } = useT();
  const now = useNow(30_000);
  const { attract } = snapshot.citizen;
  const closed = attract.serviceHours !== null && !withinDailyHours(attract.serviceHours, now);
  const [qr, setQr] = useState<{ url: string; svg: string } | null>(null);
  useEffect(() => {
    if (!attract.scanUrl) return;
    const url = attract.scanUrl;
    QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
      .then((svg) => setQr({ url, svg }))
      .catch(() => undefined);
  }, [attract.scanUrl]);
  const svg = qr && qr.url === attract.scanUrl ? qr.svg : null;

  return (
    <div
      className={`screen attract${closed ? ' dim' : ''}`}
      data-testid="screen-attract"
      data-dim={closed ? 'true' : 'false'}
      onPointerDown={() => useKiosk.getState().noteActivity()}
    >
      <div className="attract-drift">
        <h1 className="attract-title">
          <Msg k="attract.title" />
        </h1>
        <div className="attract-qr">
          {svg ? (
            <img
              src={`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`}
              alt={t('attract.title')}
              data-testid="attract-qr"
            />
          ) : (
            <ScanIcon />
          )}
        </div>
        <div className="attract-sub">
          <Msg k="attract.sub" />
        </div>
        <div className="attract-sub small">{t('attract.receipt')}</div>
        <div className="attract-info" data-testid="attract-info">
          <div className="hall-name">{snapshot.hallName}</div>
          <div className="window-line">
            {snapshot.windowNo}
            {t('idle.window')}
            {snapshot.staff ? ` · ${snapshot.staff.name}` : ''}
          </div>
          {closed && <div className="attract-closed">{t('attract.closed')}</div>}
          {attract.info.map((line) => (
            <div key={line}>{line}</div>
          ))}
        </div>
        <div className="attract-touch">{t('attract.touch')}</div>
      </div>
    </div>
  );
}
