// Icons: a brand tile per preset service (colour + mark), line icons for custom categories and the UI.
import type { ReactNode, SVGProps } from 'react';

interface Brand {
  color: string;
  mark: ReactNode;
}

const text = (t: string, size = 13): ReactNode => (
  <text x="12" y="12.5" textAnchor="middle" dominantBaseline="middle" fontSize={size} fontWeight="700" fill="#fff" fontFamily="system-ui, sans-serif">
    {t}
  </text>
);

const BRANDS: Record<string, Brand> = {
  openai: {
    color: '#10a37f',
    mark: <path d="M12 5.5l5.6 3.25v6.5L12 18.5l-5.6-3.25v-6.5z M12 9l3 1.75v3.5L12 16l-3-1.75v-3.5z" fill="none" stroke="#fff" strokeWidth="1.6" strokeLinejoin="round" />,
  },
  anthropic: { color: '#d97757', mark: <path d="M8.2 17.5L11.2 6.5h1.6l3 11h-1.9l-.7-2.7h-3.2l-.7 2.7zM10.4 13.2h2.3L11.5 8.6z" fill="#fff" /> },
  stripe: { color: '#635bff', mark: text('S', 14) },
  github: {
    color: '#24292f',
    mark: <path d="M12 5a7 7 0 00-2.2 13.6c.35.06.48-.15.48-.34v-1.2c-1.95.42-2.36-.94-2.36-.94-.32-.81-.78-1.03-.78-1.03-.64-.44.05-.43.05-.43.7.05 1.07.72 1.07.72.63 1.07 1.64.76 2.04.58.06-.45.24-.76.45-.94-1.55-.18-3.19-.78-3.19-3.46 0-.76.27-1.39.72-1.88-.07-.18-.31-.89.07-1.85 0 0 .59-.19 1.92.72a6.6 6.6 0 013.5 0c1.33-.91 1.92-.72 1.92-.72.38.96.14 1.67.07 1.85.45.49.72 1.12.72 1.88 0 2.69-1.64 3.28-3.2 3.45.25.22.48.64.48 1.3v1.92c0 .19.13.41.48.34A7 7 0 0012 5z" fill="#fff" />,
  },
  aws: { color: '#ff9900', mark: text('aws', 9) },
  supabase: { color: '#3ecf8e', mark: <path d="M13 4.5L6.5 13.2h5.2L11 19.5l6.5-8.7h-5.2z" fill="#fff" /> },
  'google-ai': { color: '#4285f4', mark: <path d="M12 5c.5 3.8 3.2 6.5 7 7-3.8.5-6.5 3.2-7 7-.5-3.8-3.2-6.5-7-7 3.8-.5 6.5-3.2 7-7z" fill="#fff" /> },
  twilio: {
    color: '#f22f46',
    mark: (
      <g fill="#fff">
        <circle cx="12" cy="12" r="6.2" fill="none" stroke="#fff" strokeWidth="1.6" />
        <circle cx="10.2" cy="10.2" r="1.2" />
        <circle cx="13.8" cy="10.2" r="1.2" />
        <circle cx="10.2" cy="13.8" r="1.2" />
        <circle cx="13.8" cy="13.8" r="1.2" />
      </g>
    ),
  },
  sendgrid: {
    color: '#1a82e2',
    mark: (
      <g fill="#fff">
        <rect x="6" y="6" width="6" height="6" opacity=".7" />
        <rect x="12" y="12" width="6" height="6" opacity=".7" />
        <rect x="9" y="9" width="6" height="6" />
      </g>
    ),
  },
  cloudflare: { color: '#f38020', mark: <path d="M8 16.5h9.3a2.6 2.6 0 00.2-5.2 4.2 4.2 0 00-8-1A3.1 3.1 0 008 16.5z" fill="#fff" /> },
  vercel: { color: '#111111', mark: <path d="M12 6.5l6.5 11h-13z" fill="#fff" /> },
  slack: { color: '#4a154b', mark: text('#', 15) },
};

const LINE: Record<string, ReactNode> = {
  key: <path d="M14.5 4a5.5 5.5 0 00-5.2 7.3L3 17.6V21h3.4v-2h2v-2h2l1.3-1.3A5.5 5.5 0 1014.5 4zm1.5 5a1.5 1.5 0 110-3 1.5 1.5 0 010 3z" />,
  database: <path d="M12 3c-4.4 0-8 1.3-8 3v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6c0-1.7-3.6-3-8-3zm0 2c3.9 0 6 1.1 6 1s-2.1 1-6 1-6-.9-6-1 2.1-1 6-1zM6 8.4C7.5 9 9.6 9.3 12 9.3s4.5-.3 6-.9V12c0 .1-2.1 1.2-6 1.2S6 12.1 6 12zm0 5.6c1.5.6 3.6.9 6 .9s4.5-.3 6-.9V18c0 .1-2.1 1-6 1s-6-.9-6-1z" />,
  cloud: <path d="M7 19h10.5a4.5 4.5 0 00.6-9A6 6 0 006.6 11 4 4 0 007 19z" />,
  mail: <path d="M3 5h18v14H3zm2 2v.5l7 4.5 7-4.5V7zm0 2.9V17h14V9.9l-7 4.5z" />,
  lock: <path d="M7 10V8a5 5 0 0110 0v2h1.5v11h-13V10zm2 0h6V8a3 3 0 00-6 0z" />,
  server: <path d="M3 4h18v7H3zm0 9h18v7H3zm3-7v3h2V6zm0 9v3h2v-3z" />,
  globe: <path d="M12 2a10 10 0 100 20 10 10 0 000-20zm6.9 9h-3a15 15 0 00-1.3-5.8A8 8 0 0118.9 11zM12 4.1c.9 1.2 1.8 3.6 1.9 6.9h-3.8c.1-3.3 1-5.7 1.9-6.9zM9.4 5.2A15 15 0 008.1 11h-3a8 8 0 014.3-5.8zM5.1 13h3a15 15 0 001.3 5.8A8 8 0 015.1 13zm6.9 6.9c-.9-1.2-1.8-3.6-1.9-6.9h3.8c-.1 3.3-1 5.7-1.9 6.9zm2.6-1.1a15 15 0 001.3-5.8h3a8 8 0 01-4.3 5.8z" />,
  terminal: <path d="M3 4h18v16H3zm2 2v12h14V6zm1.6 2.4L10.2 12l-3.6 3.6L8 17l5-5-5-5zM12 15h5v2h-5z" />,
};

const LINE_COLORS: Record<string, string> = {
  key: '#6b7280',
  database: '#0e7490',
  cloud: '#2563eb',
  mail: '#9333ea',
  lock: '#b45309',
  server: '#475569',
  globe: '#059669',
  terminal: '#334155',
};

export function ServiceIcon({ slug, size = 28, label }: { slug: string | null; size?: number; label?: string }) {
  const brand = slug ? BRANDS[slug] : undefined;
  const lineKey = slug && LINE[slug] ? slug : 'key';
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" {...(label === '' ? { 'aria-hidden': true } : { role: 'img', 'aria-label': label ?? slug ?? 'key' })} className="service-icon" data-icon={slug ?? 'key'}>
      <rect width="24" height="24" rx="6" fill={brand?.color ?? LINE_COLORS[lineKey]} />
      {brand ? brand.mark : <g transform="translate(4.2 4.2) scale(0.65)" fill="#fff">{LINE[lineKey]}</g>}
    </svg>
  );
}

export const ICON_SLUGS = [...Object.keys(BRANDS), ...Object.keys(LINE)];

type IconProps = SVGProps<SVGSVGElement>;
const ui = (d: ReactNode) =>
  function UiIcon(props: IconProps) {
    return (
      <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" {...props}>
        {d}
      </svg>
    );
  };

export const SearchIcon = ui(<><circle cx="11" cy="11" r="7" /><path d="M20 20l-3.5-3.5" /></>);
export const PlusIcon = ui(<path d="M12 5v14M5 12h14" />);
export const LockIcon = ui(<><rect x="5" y="11" width="14" height="10" rx="2" /><path d="M8 11V7a4 4 0 018 0v4" /></>);
export const EyeIcon = ui(<><path d="M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z" /><circle cx="12" cy="12" r="3" /></>);
export const EyeOffIcon = ui(<><path d="M3 3l18 18M10.6 5.1A10 10 0 0112 5c6.5 0 10 7 10 7a17 17 0 01-3.2 4M6.6 6.6A17 17 0 002 12s3.5 7 10 7a10 10 0 005.4-1.6" /><path d="M9.9 9.9a3 3 0 004.2 4.2" /></>);
export const CopyIcon = ui(<><rect x="9" y="9" width="12" height="12" rx="2" /><path d="M5 15V5a2 2 0 012-2h10" /></>);
export const EditIcon = ui(<path d="M4 20h4L19 9l-4-4L4 16zM14 6l4 4" />);
export const HistoryIcon = ui(<><path d="M3 12a9 9 0 109-9 9 9 0 00-6.4 2.6L3 8" /><path d="M3 3v5h5M12 7v5l3 2" /></>);
export const TrashIcon = ui(<path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />);
export const SettingsIcon = ui(<><circle cx="12" cy="12" r="3" /><path d="M19.4 15a1.7 1.7 0 00.3 1.8l.1.1a2 2 0 11-2.8 2.8l-.1-.1a1.7 1.7 0 00-1.8-.3 1.7 1.7 0 00-1 1.5V21a2 2 0 01-4 0v-.1a1.7 1.7 0 00-1.1-1.5 1.7 1.7 0 00-1.8.3l-.1.1a2 2 0 11-2.8-2.8l.1-.1a1.7 1.7 0 00.3-1.8 1.7 1.7 0 00-1.5-1H3a2 2 0 010-4h.1a1.7 1.7 0 001.5-1.1 1.7 1.7 0 00-.3-1.8l-.1-.1a2 2 0 112.8-2.8l.1.1a1.7 1.7 0 001.8.3H9a1.7 1.7 0 001-1.5V3a2 2 0 014 0v.1a1.7 1.7 0 001 1.5 1.7 1.7 0 001.8-.3l.1-.1a2 2 0 112.8 2.8l-.1.1a1.7 1.7 0 00-.3 1.8V9a1.7 1.7 0 001.5 1H21a2 2 0 010 4h-.1a1.7 1.7 0 00-1.5 1z" /></>);
export const ListIcon = ui(<path d="M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01" />);
export const FolderIcon = ui(<path d="M3 6a2 2 0 012-2h4l2 2h8a2 2 0 012 2v10a2 2 0 01-2 2H5a2 2 0 01-2-2z" />);
export const LayersIcon = ui(<path d="M12 3l9 5-9 5-9-5zM3 13l9 5 9-5" />);
export const ShieldIcon = ui(<path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z" />);
export const DownloadIcon = ui(<path d="M12 4v11M7 10l5 5 5-5M5 20h14" />);
export const UploadIcon = ui(<path d="M12 20V9M7 14l5-5 5 5M5 4h14" />);
export const AlertIcon = ui(<><path d="M12 3l10 18H2z" /><path d="M12 10v4M12 17h.01" /></>);
export const CheckIcon = ui(<path d="M5 12l5 5L20 7" />);
export const TagIcon = ui(<><path d="M3 12V3h9l9 9-9 9z" /><circle cx="7.5" cy="7.5" r="1.5" /></>);
export const GlobeIcon = ui(<><circle cx="12" cy="12" r="9" /><path d="M3 12h18M12 3a14 14 0 010 18M12 3a14 14 0 000 18" /></>);
