#ifndef KYC_VERSION_H
#define KYC_VERSION_H
#define KYC_VERSION "0.1.0"
#endif
